# SPDX-License-Identifier: MIT
# docs/api: the API reference builds with no doxygen warning (skipped when
# doxygen is not installed).
add_test(NAME docs/api COMMAND ${PROJECT_SOURCE_DIR}/scripts/api-docs.sh --check
                               ${CMAKE_BINARY_DIR}/docs-test)
set_tests_properties(docs/api PROPERTIES LABELS docs SKIP_RETURN_CODE 77 TIMEOUT 300)
