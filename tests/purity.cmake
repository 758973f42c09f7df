# SPDX-License-Identifier: MIT
# The engine static library links against libc memory/string functions only.
add_test(NAME unit/engine_purity
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-engine-purity.sh $<TARGET_FILE:fin_engine>)
set_tests_properties(unit/engine_purity PROPERTIES LABELS unit)
