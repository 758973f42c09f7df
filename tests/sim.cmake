# SPDX-License-Identifier: MIT
# fin sim from the command line (tests/sim/cli_checks.sh): usage errors,
# --list, output formats, the --states figure, tshark decoding of the pcap, same seed → same bytes.
if(TARGET fin)
  foreach(check bad-options bad-options-all help missing-files list formats pcap-tshark
          pcapng-tshark pcap-same-seed demo states)
    add_test(NAME sim/cli_${check}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sim/cli_checks.sh $<TARGET_FILE:fin> ${check})
    set_tests_properties(sim/cli_${check} PROPERTIES LABELS sim TIMEOUT 120)
  endforeach()
endif()
