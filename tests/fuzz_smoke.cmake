# fuzz-smoke: the libFuzzer harnesses in fuzz/ run under any compiler by
# linking them to fuzz/driver.c, which feeds seeded random inputs and
# mutations (full fuzzing needs clang: scripts/fuzz-wire.sh).
add_executable(fuzz_wire_smoke ${PROJECT_SOURCE_DIR}/fuzz/driver.c
                               ${PROJECT_SOURCE_DIR}/fuzz/fuzz_wire.c)
target_compile_options(fuzz_wire_smoke PRIVATE ${FIN_WARNINGS})
target_link_libraries(fuzz_wire_smoke PRIVATE fin_engine)
add_test(NAME fuzz-smoke/wire_corpus COMMAND fuzz_wire_smoke)
set_tests_properties(fuzz-smoke/wire_corpus PROPERTIES LABELS fuzz-smoke TIMEOUT 300)
