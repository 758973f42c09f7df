# SPDX-License-Identifier: MIT
# Deterministic simulation testing (fin sim --random; tests/sim/dst_checks.sh):
# seeds 0..1999 in two halves (fixed, so the test is deterministic; make dst
# runs 100,000), the checker tripped on purpose by each --break kind, and a
# seed replayed byte for byte.
if(TARGET fin)
  foreach(range "0;1000" "1000;1000")
    list(GET range 0 first)
    list(GET range 1 count)
    add_test(NAME dst/seeds_${first}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sim/dst_checks.sh $<TARGET_FILE:fin> seeds
                     ${first} ${count})
    set_tests_properties(dst/seeds_${first} PROPERTIES LABELS dst TIMEOUT 300)
  endforeach()
  foreach(kind stream rst memory progress)
    add_test(NAME dst/break_${kind}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sim/dst_checks.sh $<TARGET_FILE:fin> break
                     ${kind})
    set_tests_properties(dst/break_${kind} PROPERTIES LABELS dst TIMEOUT 120)
  endforeach()
  add_test(NAME dst/replay COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sim/dst_checks.sh
                                   $<TARGET_FILE:fin> replay)
  set_tests_properties(dst/replay PROPERTIES LABELS dst TIMEOUT 120)
endif()
