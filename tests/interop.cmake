# SPDX-License-Identifier: MIT
# Interop against the Linux kernel: every tests/interop/*.sh is one ctest,
# label `interop`. Each creates its own network namespace and TUN device and
# deletes them on exit; without root, `ip netns` or /dev/net/tun it prints
# one line saying why and exits 77 (SKIPPED).
file(GLOB FIN_INTEROP_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/interop/*.sh)
foreach(script ${FIN_INTEROP_TESTS})
  get_filename_component(name ${script} NAME_WE)
  if(name STREQUAL "lib")
    continue()
  endif()
  add_test(NAME interop/${name} COMMAND bash ${script} $<TARGET_FILE:fin>)
  # RUN_SERIAL: these measure the kernel's real-time reactions; they do not
  # share the two cores with the CPU-heavy simulation tests.
  set_tests_properties(interop/${name} PROPERTIES LABELS interop SKIP_RETURN_CODE 77
                       TIMEOUT 180 RUN_SERIAL TRUE)
endforeach()
