# SPDX-License-Identifier: MIT
# docs/api: the API reference builds with no doxygen warning (skipped when
# doxygen is not installed).
add_test(NAME docs/api COMMAND ${PROJECT_SOURCE_DIR}/scripts/api-docs.sh --check
                               ${CMAKE_BINARY_DIR}/docs-test)
set_tests_properties(docs/api PROPERTIES LABELS docs SKIP_RETURN_CODE 77 TIMEOUT 300)

# docs/man: every option `fin CMD --help` prints is in the command's man page
# (docs/man/*.scd) and the other way round; every command has a page; the
# pages compile with scdoc. docs/man_install: cmake --install puts them in
# share/man/man1 (skipped when scdoc was not found).
if(TARGET fin)
  add_test(NAME docs/man COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-man.sh $<TARGET_FILE:fin>)
  set_tests_properties(docs/man PROPERTIES LABELS docs TIMEOUT 120)
  add_test(NAME docs/man_install COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-man.sh --install
                                         ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/man-install-test)
  set_tests_properties(docs/man_install PROPERTIES LABELS docs SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()

# docs/termination: the ladders and figures in docs/termination.md and
# docs/img/ are what fin sim prints now (make termination-doc regenerates them).
if(TARGET fin)
  add_test(NAME docs/termination
           COMMAND ${PROJECT_SOURCE_DIR}/scripts/gen-termination-doc.sh --check $<TARGET_FILE:fin>)
  set_tests_properties(docs/termination PROPERTIES LABELS docs TIMEOUT 300)
endif()
