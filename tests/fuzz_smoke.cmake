# SPDX-License-Identifier: MIT
# fuzz-smoke: the libFuzzer harnesses in fuzz/ run under any compiler by
# linking them to fuzz/driver.c, which feeds seeded random inputs and
# mutations (full fuzzing needs clang: scripts/fuzz-wire.sh).
add_executable(fuzz_wire_smoke ${PROJECT_SOURCE_DIR}/fuzz/driver.c ${PROJECT_SOURCE_DIR}/fuzz/driver_io.c
                               ${PROJECT_SOURCE_DIR}/fuzz/fuzz_wire.c)
target_compile_options(fuzz_wire_smoke PRIVATE ${FIN_WARNINGS})
target_link_libraries(fuzz_wire_smoke PRIVATE fin_engine)
add_test(NAME fuzz-smoke/wire_corpus COMMAND fuzz_wire_smoke)
# Inputs that once broke the wire harness or the wire layer
# (fuzz/regressions/wire-*): a valid IPv6 SYN aborted the harness's rebuild
# check, which assumed a 20-byte IPv4 header; address text with eight groups
# before "::" overran fin_addr_parse's buffer.
file(GLOB FIN_WIRE_REGRESSIONS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/regressions/wire-*)
add_test(NAME fuzz-smoke/wire_regressions COMMAND fuzz_wire_smoke ${FIN_WIRE_REGRESSIONS})
set_tests_properties(fuzz-smoke/wire_corpus fuzz-smoke/wire_regressions
                     PROPERTIES LABELS fuzz-smoke TIMEOUT 300)

# The whole-stack harness (fuzz/fuzz_stack.c): seeded programs and mutations
# of them, then every minimised reproducer in fuzz/regressions/ replayed.
add_executable(fuzz_stack_smoke ${PROJECT_SOURCE_DIR}/fuzz/driver_stack.c ${PROJECT_SOURCE_DIR}/fuzz/driver_io.c
                                ${PROJECT_SOURCE_DIR}/fuzz/fuzz_stack.c)
target_compile_options(fuzz_stack_smoke PRIVATE ${FIN_WARNINGS})
target_link_libraries(fuzz_stack_smoke PRIVATE fin_engine)
add_test(NAME fuzz-smoke/stack COMMAND fuzz_stack_smoke)
file(GLOB FIN_STACK_REGRESSIONS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/regressions/stack-*)
add_test(NAME fuzz-smoke/stack_regressions COMMAND fuzz_stack_smoke ${FIN_STACK_REGRESSIONS})
set_tests_properties(fuzz-smoke/stack fuzz-smoke/stack_regressions
                     PROPERTIES LABELS fuzz-smoke TIMEOUT 300)

# The reassembly harness (fuzz/fuzz_reassembly.c): the out-of-order store
# and the receive ring against a flat-array model, on seeded programs.
add_executable(fuzz_reassembly_smoke ${PROJECT_SOURCE_DIR}/fuzz/driver_reassembly.c ${PROJECT_SOURCE_DIR}/fuzz/driver_io.c
                                     ${PROJECT_SOURCE_DIR}/fuzz/fuzz_reassembly.c)
target_compile_options(fuzz_reassembly_smoke PRIVATE ${FIN_WARNINGS})
target_include_directories(fuzz_reassembly_smoke PRIVATE ${PROJECT_SOURCE_DIR}/src/engine)
target_link_libraries(fuzz_reassembly_smoke PRIVATE fin_engine)
add_test(NAME fuzz-smoke/reassembly COMMAND fuzz_reassembly_smoke)
set_tests_properties(fuzz-smoke/reassembly PROPERTIES LABELS fuzz-smoke TIMEOUT 300)
file(GLOB FIN_REASSEMBLY_REGRESSIONS CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/fuzz/regressions/reassembly-*)
if(FIN_REASSEMBLY_REGRESSIONS)
  add_test(NAME fuzz-smoke/reassembly_regressions COMMAND fuzz_reassembly_smoke
                                                          ${FIN_REASSEMBLY_REGRESSIONS})
  set_tests_properties(fuzz-smoke/reassembly_regressions PROPERTIES LABELS fuzz-smoke TIMEOUT 300)
endif()

# The minimised campaign corpora (fuzz/corpus/<harness>/, written by
# scripts/fuzz-campaign.sh --update-corpus: only inputs that added coverage)
# replayed without fuzzing, so what a campaign reached stays reached.
foreach(harness wire stack reassembly)
  file(GLOB FIN_CORPUS_${harness} CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/corpus/${harness}/*)
  if(FIN_CORPUS_${harness})
    add_test(NAME fuzz-smoke/corpus_${harness} COMMAND fuzz_${harness}_smoke
                                                       ${FIN_CORPUS_${harness}})
    set_tests_properties(fuzz-smoke/corpus_${harness} PROPERTIES LABELS fuzz-smoke TIMEOUT 300)
  endif()
endforeach()
