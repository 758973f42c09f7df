# SPDX-License-Identifier: MIT
# Every BEHAVIOR row has at least one test carrying its ID (docs/behavior-coverage.md).
add_test(NAME unit/behavior_coverage COMMAND ${PROJECT_SOURCE_DIR}/scripts/behavior-coverage.sh)
set_tests_properties(unit/behavior_coverage PROPERTIES LABELS unit)
# Every case of the attack catalogue has at least one test (docs/attack-coverage.md).
add_test(NAME unit/attack_coverage COMMAND ${PROJECT_SOURCE_DIR}/scripts/attack-coverage.sh)
set_tests_properties(unit/attack_coverage PROPERTIES LABELS unit)
