# SPDX-License-Identifier: MIT
# conformance/fetch and conformance/fetch-manifest (tests/conformance/fetch_test.sh):
# scripts/fetch-conformance.sh against a local mirror on 127.0.0.1.
foreach(mode fetch fetch-manifest)
  add_test(NAME conformance/${mode}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/conformance/fetch_test.sh ${mode}
                   ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/conformance-${mode})
  set_tests_properties(conformance/${mode} PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
