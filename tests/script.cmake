# Conformance scripts (issue 4): every upstream packetdrill script in
# ../shared/conformance/packetdrill/scripts and every in-house script in
# tests/scripts is its own ctest test, label `script`, run by `fin script`.
# Upstream scripts listed in tests/scripts/expected-failures.tsv contradict
# a BEHAVIOR.md policy: they run with --expect-fail, so the suite stays
# green and notices when one starts passing.

set(FIN_UPSTREAM_SCRIPTS_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance/packetdrill/scripts"
    CACHE PATH "Directory holding the upstream packetdrill scripts")
get_filename_component(FIN_UPSTREAM_SCRIPTS_DIR "${FIN_UPSTREAM_SCRIPTS_DIR}" REALPATH)

if(TARGET test_script_parser AND EXISTS "${FIN_UPSTREAM_SCRIPTS_DIR}")
  target_compile_definitions(test_script_parser
                             PRIVATE FIN_UPSTREAM_SCRIPTS="${FIN_UPSTREAM_SCRIPTS_DIR}")
endif()

if(NOT TARGET fin)
  return()
endif()

# script -> BEHAVIOR row, for the expected failures.
set(FIN_SCRIPT_XFAIL "")
set(xfail_file "${CMAKE_CURRENT_SOURCE_DIR}/scripts/expected-failures.tsv")
if(EXISTS "${xfail_file}")
  file(STRINGS "${xfail_file}" xfail_lines)
  foreach(line ${xfail_lines})
    if(line MATCHES "^([^#\t][^\t]*)\t")
      list(APPEND FIN_SCRIPT_XFAIL "${CMAKE_MATCH_1}")
    endif()
  endforeach()
endif()

function(fin_add_script_test name file)
  get_filename_component(base "${file}" NAME)
  set(flags "")
  if(base IN_LIST FIN_SCRIPT_XFAIL)
    set(flags --expect-fail)
  endif()
  add_test(NAME ${name} COMMAND $<TARGET_FILE:fin> script ${flags} "${file}")
  set_tests_properties(${name} PROPERTIES LABELS script TIMEOUT 60)
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
