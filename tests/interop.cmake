# SPDX-License-Identifier: MIT
# Interop against the Linux kernel: every tests/interop/*.sh is one row,
# label `interop`, run once per address family: interop/NAME over IPv4 and
# interop/NAME-v6 over IPv6 (FIN_FAMILY=4 or 6, read by lib.sh). A script
# with the line "# interop: dual" sets up both families itself and runs once.
# Each creates its own network namespace and TUN device and deletes them on
# exit; without root, `ip netns` or /dev/net/tun it prints one line saying
# why and exits 77 (SKIPPED).
file(GLOB FIN_INTEROP_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/interop/*.sh)
foreach(script ${FIN_INTEROP_TESTS})
  get_filename_component(name ${script} NAME_WE)
  if(name STREQUAL "lib")
    continue()
  endif()
  file(STRINGS ${script} dual REGEX "^# interop: dual$")
  if(dual)
    set(rows "${name}=dual")
  else()
    set(rows "${name}=4" "${name}-v6=6")
  endif()
  foreach(row ${rows})
    string(REPLACE "=" ";" parts ${row})
    list(GET parts 0 test)
    list(GET parts 1 family)
    add_test(NAME interop/${test} COMMAND bash ${script} $<TARGET_FILE:fin>)
    # RUN_SERIAL: these measure the kernel's real-time reactions; they do not
    # share the two cores with the CPU-heavy simulation tests.
    set_tests_properties(interop/${test} PROPERTIES LABELS interop SKIP_RETURN_CODE 77
                         TIMEOUT 180 RUN_SERIAL TRUE ENVIRONMENT FIN_FAMILY=${family})
  endforeach()
endforeach()
