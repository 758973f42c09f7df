# SPDX-License-Identifier: MIT
# Conformance scripts (issue 4): every upstream packetdrill script in
# FIN_CONFORMANCE/packetdrill/scripts (../shared/conformance beside the
# checkout, or what scripts/fetch-conformance.sh fetched; CMakeLists.txt)
# and every in-house script in
# tests/scripts is its own ctest test, label `script`, run by `fin script`.
# Scripts listed in tests/scripts/expected-failures.tsv (upstream scripts
# that contradict a docs/behavior.md policy, each with its row) or in
# tests/scripts/engine-gaps.tsv (a known engine bug or a missing settings
# knob, each with the exact expected vs actual packet or result) run with
# WILL_FAIL: the suite stays green, and a script that starts passing fails
# its test so that its line gets removed. WILL_FAIL rather than
# --expect-fail so that a sanitizer abort also counts as the known failure.

set(FIN_UPSTREAM_SCRIPTS_DIR "" CACHE PATH
    "Directory holding the upstream packetdrill scripts (empty: FIN_CONFORMANCE/packetdrill/scripts)")
if(NOT FIN_UPSTREAM_SCRIPTS_DIR)
  set(FIN_UPSTREAM_SCRIPTS_DIR "${FIN_CONFORMANCE}/packetdrill/scripts")
endif()
get_filename_component(FIN_UPSTREAM_SCRIPTS_DIR "${FIN_UPSTREAM_SCRIPTS_DIR}" REALPATH)
file(GLOB FIN_UPSTREAM_PKT CONFIGURE_DEPENDS "${FIN_UPSTREAM_SCRIPTS_DIR}/*.pkt")
set(FIN_UPSTREAM_MISSING "upstream packetdrill scripts not found in ${FIN_UPSTREAM_SCRIPTS_DIR}: \
run scripts/fetch-conformance.sh (or put the shared/ tree beside the checkout, or configure \
-DFIN_CONFORMANCE_DIR=DIR)")

if(TARGET test_script_parser AND FIN_UPSTREAM_PKT)
  target_compile_definitions(test_script_parser
                             PRIVATE FIN_UPSTREAM_SCRIPTS="${FIN_UPSTREAM_SCRIPTS_DIR}")
endif()

# The FreeBSD TCP team's suite (issue 9): FIN_CONFORMANCE/freebsd-tcp-testsuite
# (../shared/conformance beside the checkout, or what fetch-conformance.sh fetched).
set(FIN_FREEBSD_SUITE_DIR "" CACHE PATH
    "Directory holding the FreeBSD tcp-testsuite scripts (empty: FIN_CONFORMANCE/freebsd-tcp-testsuite)")
if(NOT FIN_FREEBSD_SUITE_DIR)
  set(FIN_FREEBSD_SUITE_DIR "${FIN_CONFORMANCE}/freebsd-tcp-testsuite")
endif()
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

if(FIN_UPSTREAM_PKT)
  foreach(f ${FIN_UPSTREAM_PKT})
    get_filename_component(n "${f}" NAME_WE)
    fin_add_script_test(script/upstream/${n} "${f}")
  endforeach()
else()
  # A user's clone has no upstream scripts: one skipped test says what is
  # missing and how to get it (never a failure, never a silent pass).
  message(NOTICE "fin: ${FIN_UPSTREAM_MISSING}")
  add_test(NAME script/upstream COMMAND sh -c "echo 'SKIPPED: ${FIN_UPSTREAM_MISSING}'; exit 77")
  set_tests_properties(script/upstream PROPERTIES LABELS script SKIP_RETURN_CODE 77)
endif()

file(GLOB inhouse CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/scripts/*.pkt")
foreach(f ${inhouse})
  get_filename_component(n "${f}" NAME_WE)
  fin_add_script_test(script/inhouse/${n} "${f}")
endforeach()

# The FreeBSD suite: every script runs, one ctest test per directory
# (freebsd/<dir>), checked against the conformance ledger
# tests/conformance/freebsd-expected.tsv by `fin script --ledger`: an
# unlisted script that fails and a listed one that passes both fail the
# test. Without the scripts (a user's clone) one test says so and is
# skipped.
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
  set(FIN_FREEBSD_MISSING "FreeBSD tcp-testsuite not found in ${FIN_FREEBSD_SUITE_DIR}: run \
scripts/fetch-conformance.sh (or put the shared/ tree beside the checkout, or configure \
-DFIN_FREEBSD_SUITE_DIR=DIR)")
  message(NOTICE "fin: ${FIN_FREEBSD_MISSING}")
  add_test(NAME freebsd/suite-missing COMMAND sh -c "echo 'SKIPPED: ${FIN_FREEBSD_MISSING}'; exit 77")
  set_tests_properties(freebsd/suite-missing PROPERTIES LABELS "script;conformance"
                                                        SKIP_RETURN_CODE 77)
endif()

# The ledger machinery itself, on a suite the test makes (no ../shared needed).
add_test(NAME script/ledger-checks
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/ledger_checks.sh $<TARGET_FILE:fin>
                 ${PROJECT_SOURCE_DIR})
set_tests_properties(script/ledger-checks PROPERTIES LABELS script TIMEOUT 60)
