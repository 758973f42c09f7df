# SPDX-License-Identifier: MIT
# Exhaustive small-scope exploration of the close handshakes (tests/explore/,
# issue 12 item 3): every schedule of up to EXPLORE_K faults per lifecycle,
# one ctest test per lifecycle (label explore) so they spread over the cores;
# `make explore` runs deeper, without sanitizers.
set(FIN_EXPLORE_K 3 CACHE STRING "Faults per schedule in the explore tests")
add_library(fin_explore_lib STATIC explore/check.c explore/lifecycle.c explore/net.c
                                   explore/profile.c explore/run.c explore/search.c)
target_include_directories(fin_explore_lib PUBLIC explore)
target_compile_options(fin_explore_lib PRIVATE ${FIN_WARNINGS})
target_link_libraries(fin_explore_lib PUBLIC fin_test_support fin_tools)

add_executable(fin_explore explore/main.c)
target_compile_options(fin_explore PRIVATE ${FIN_WARNINGS})
target_link_libraries(fin_explore PRIVATE fin_explore_lib)

add_executable(test_explore_fails explore/test_explore_fails.c)
target_compile_options(test_explore_fails PRIVATE ${FIN_WARNINGS} -Wno-missing-prototypes)
target_link_libraries(test_explore_fails PRIVATE fin_explore_lib)
add_test(NAME explore/test_explore_fails COMMAND test_explore_fails)
set_tests_properties(explore/test_explore_fails PROPERTIES LABELS explore TIMEOUT 300)

# One test per lifecycle, both families in each; reopen (two connections,
# twice the datagrams) with one fault fewer.
math(EXPR _fin_explore_k_less "${FIN_EXPLORE_K} - 1")
foreach(lc graceful passive simultaneous crossing half-close half-hold linger linger0 abort
           unread half-abort reopen)
  set(_k ${FIN_EXPLORE_K})
  if(lc STREQUAL "reopen")
    set(_k ${_fin_explore_k_less})
  endif()
  add_test(NAME explore/${lc} COMMAND fin_explore -k ${_k} --lifecycle ${lc} --ladder)
  set_tests_properties(explore/${lc} PROPERTIES LABELS explore TIMEOUT 600)
endforeach()

# The other settings profiles (tests/explore/profile.c), every lifecycle over
# IPv4, one fault fewer.
foreach(profile bsd noopt mixed)
  add_test(NAME explore/profile-${profile}
           COMMAND fin_explore -k ${_fin_explore_k_less} --family 4 --profile ${profile} --ladder)
  set_tests_properties(explore/profile-${profile} PROPERTIES LABELS explore TIMEOUT 600)
endforeach()
