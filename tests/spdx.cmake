# SPDX-License-Identifier: MIT
# unit/spdx: every source file carries its SPDX licence line (scripts/spdx.sh --check).
add_test(NAME unit/spdx COMMAND ${PROJECT_SOURCE_DIR}/scripts/spdx.sh --check)
set_tests_properties(unit/spdx PROPERTIES LABELS unit)
