# SPDX-License-Identifier: MIT
# Load and abuse on virtual time (tests/abuse/, issue 12 item 5): blind
# spoofing into a live connection, a SYN flood among real connects, orphans
# held by hostile peers. ctest runs each at modest scale (label abuse);
# `make abuse` runs them at full scale without sanitizers.
add_executable(fin_abuse abuse/main.c abuse/net.c abuse/report.c abuse/spoof.c abuse/synflood.c
                         abuse/orphans.c)
target_compile_options(fin_abuse PRIVATE ${FIN_WARNINGS})
target_link_libraries(fin_abuse PRIVATE fin_test_support fin_tools)

foreach(mode spoof synflood)
  add_test(NAME abuse/${mode} COMMAND fin_abuse ${mode} --scale modest)
  set_tests_properties(abuse/${mode} PROPERTIES LABELS abuse TIMEOUT 300)
endforeach()
foreach(kind silent zero-window trickle shrinking slow-reader fin-wait-2)
  add_test(NAME abuse/orphans-${kind} COMMAND fin_abuse orphans --scale modest --kind ${kind})
  set_tests_properties(abuse/orphans-${kind} PROPERTIES LABELS abuse TIMEOUT 300)
endforeach()

# Each mode's checks can fail: with a setting that breaks the contract the
# run must fail (WILL_FAIL).
foreach(run "spoof;--count;20000" "synflood;--count;5000" "orphans;--count;20;--kind;silent"
        "orphans;--count;20;--kind;fin-wait-2")
  list(GET run 0 _mode)
  list(GET run -1 _last)
  set(_name ${_mode})
  if(_mode STREQUAL "orphans")
    set(_name orphans-${_last})
  endif()
  add_test(NAME abuse/sabotage-${_name} COMMAND fin_abuse ${run} --sabotage)
  set_tests_properties(abuse/sabotage-${_name} PROPERTIES LABELS abuse TIMEOUT 300 WILL_FAIL TRUE)
endforeach()
