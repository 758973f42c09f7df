# SPDX-License-Identifier: MIT
# fin sim from the command line (tests/sim/cli_checks.sh): usage errors,
# --list, output formats (IPv4 and --ipv6), the ladder's width in every
# scenario, the --states figure, tshark decoding of pcap and pcapng for both
# families (skipped without tshark), same seed → same bytes.
if(TARGET fin)
  foreach(check bad-options bad-options-all help missing-files list formats formats-ipv6
          ladder-width pcap-tshark pcap-tshark-ipv6 pcapng-tshark pcapng-tshark-ipv6 pcap-same-seed
          demo states)
    add_test(NAME sim/cli_${check}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sim/cli_checks.sh $<TARGET_FILE:fin> ${check})
    set_tests_properties(sim/cli_${check} PROPERTIES LABELS sim TIMEOUT 120 SKIP_RETURN_CODE 77)
  endforeach()
endif()
