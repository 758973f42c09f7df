# Conformance scripts (issue 4): every upstream packetdrill script in
# ../shared/conformance/packetdrill/scripts and every in-house script in
# tests/scripts is its own ctest test, label `script`, run by `fin script`.
# Scripts listed in tests/scripts/expected-failures.tsv (upstream scripts
# that contradict a BEHAVIOR.md policy, at most 3) or in
# tests/scripts/engine-gaps.tsv (a known engine bug or a missing settings
# knob, each with the exact expected vs actual packet or result) run with
# WILL_FAIL: the suite stays green, and a script that starts passing fails
# its test so that its line gets removed. WILL_FAIL rather than
# --expect-fail so that a sanitizer abort also counts as the known failure.

set(FIN_UPSTREAM_SCRIPTS_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance/packetdrill/scripts"
    CACHE PATH "Directory holding the upstream packetdrill scripts")
get_filename_component(FIN_UPSTREAM_SCRIPTS_DIR "${FIN_UPSTREAM_SCRIPTS_DIR}" REALPATH)

if(TARGET test_script_parser AND EXISTS "${FIN_UPSTREAM_SCRIPTS_DIR}")
  target_compile_definitions(test_script_parser
                             PRIVATE FIN_UPSTREAM_SCRIPTS="${FIN_UPSTREAM_SCRIPTS_DIR}")
endif()

set(FIN_FREEBSD_SUITE_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance/freebsd-tcp-testsuite"
    CACHE PATH "Directory holding the FreeBSD tcp-testsuite scripts")
get_filename_component(FIN_FREEBSD_SUITE_DIR "${FIN_FREEBSD_SUITE_DIR}" REALPATH)
if(TARGET test_script_parser AND IS_DIRECTORY "${FIN_FREEBSD_SUITE_DIR}")
  target_compile_definitions(test_script_parser PRIVATE FIN_FREEBSD_SUITE="${FIN_FREEBSD_SUITE_DIR}")
endif()

if(NOT TARGET fin)
  return()
endif()

# The first column of both ledgers: script file names.
set(FIN_SCRIPT_XFAIL "")
foreach(ledger expected-failures.tsv engine-gaps.tsv)
  set(xfail_file "${CMAKE_CURRENT_SOURCE_DIR}/scripts/${ledger}")
  if(EXISTS "${xfail_file}")
    file(STRINGS "${xfail_file}" xfail_lines)
    foreach(line ${xfail_lines})
      if(line MATCHES "^([^#\t][^\t]*)\t")
        list(APPEND FIN_SCRIPT_XFAIL "${CMAKE_MATCH_1}")
      endif()
    endforeach()
  endif()
endforeach()

function(fin_add_script_test name file)
  get_filename_component(base "${file}" NAME)
  add_test(NAME ${name} COMMAND $<TARGET_FILE:fin> script "${file}")
  set_tests_properties(${name} PROPERTIES LABELS script TIMEOUT 60)
  if(base IN_LIST FIN_SCRIPT_XFAIL)
    set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE)
  endif()
endfunction()

if(EXISTS "${FIN_UPSTREAM_SCRIPTS_DIR}/../MANIFEST.tsv")
  file(GLOB upstream CONFIGURE_DEPENDS "${FIN_UPSTREAM_SCRIPTS_DIR}/*.pkt")
  foreach(f ${upstream})
    get_filename_component(n "${f}" NAME_WE)
    fin_add_script_test(script/upstream/${n} "${f}")
  endforeach()
else()
  # Fail clearly instead of passing with no upstream scripts at all.
  message(WARNING "fin: upstream packetdrill scripts not found in ${FIN_UPSTREAM_SCRIPTS_DIR}; "
                  "clone the shared/ tree beside the repository or set FIN_UPSTREAM_SCRIPTS_DIR")
  add_test(NAME script/upstream-missing
           COMMAND ${CMAKE_COMMAND} -E echo
                   "upstream scripts missing: expected ${FIN_UPSTREAM_SCRIPTS_DIR}/*.pkt")
  set_tests_properties(script/upstream-missing PROPERTIES LABELS script WILL_FAIL TRUE)
endif()

file(GLOB inhouse CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/scripts/*.pkt")
foreach(f ${inhouse})
  get_filename_component(n "${f}" NAME_WE)
  fin_add_script_test(script/inhouse/${n} "${f}")
endforeach()

# The FreeBSD TCP team's own suite (issue 9): every script runs, one ctest
# test per directory (freebsd/<dir>), checked against the conformance ledger
# tests/conformance/freebsd-expected.tsv by `fin script --ledger`: an
# unlisted script that fails and a listed one that passes both fail the
# test. Without the scripts (a user's clone has no ../shared) one test says
# so and is skipped.
set(FIN_FREEBSD_LEDGER "${CMAKE_CURRENT_SOURCE_DIR}/conformance/freebsd-expected.tsv")
if(IS_DIRECTORY "${FIN_FREEBSD_SUITE_DIR}")
  file(GLOB_RECURSE freebsd_scripts CONFIGURE_DEPENDS "${FIN_FREEBSD_SUITE_DIR}/*.pkt")
  set(freebsd_dirs "")
  foreach(f ${freebsd_scripts})
    get_filename_component(d "${f}" DIRECTORY)
    list(APPEND freebsd_dirs "${d}")
  endforeach()
  list(REMOVE_DUPLICATES freebsd_dirs)
  foreach(d ${freebsd_dirs})
    file(RELATIVE_PATH rel "${FIN_FREEBSD_SUITE_DIR}" "${d}")
    add_test(NAME freebsd/${rel}
             COMMAND $<TARGET_FILE:fin> script --profile freebsd --ledger "${FIN_FREEBSD_LEDGER}"
                     --suite "${FIN_FREEBSD_SUITE_DIR}" "${d}")
    set_tests_properties(freebsd/${rel} PROPERTIES LABELS "script;conformance" TIMEOUT 300)
  endforeach()
else()
  message(STATUS "fin: no FreeBSD tcp-testsuite in ${FIN_FREEBSD_SUITE_DIR}: its tests are skipped")
  add_test(NAME freebsd/suite-missing
           COMMAND sh -c "echo 'skipped: no FreeBSD tcp-testsuite in ${FIN_FREEBSD_SUITE_DIR}; \
get the scripts of freebsd-net/tcp-testsuite and pass -DFIN_FREEBSD_SUITE_DIR=<their directory>'; \
exit 77")
  set_tests_properties(freebsd/suite-missing PROPERTIES LABELS "script;conformance"
                                                        SKIP_RETURN_CODE 77)
endif()

# The ledger machinery itself, on a suite the test makes (no ../shared needed).
add_test(NAME script/ledger-checks
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/ledger_checks.sh $<TARGET_FILE:fin>
                 ${PROJECT_SOURCE_DIR})
set_tests_properties(script/ledger-checks PROPERTIES LABELS script TIMEOUT 60)
