# SPDX-License-Identifier: MIT
# install/prefix and install/subdir (tests/install/run.sh): cmake --install
# into a temporary prefix, then programs built against it with pkg-config
# and find_package(fin); and add_subdirectory(fin) without cmocka or libpcap.
# Each configures and builds fin's libraries once more (unsanitized).
foreach(mode prefix subdir)
  add_test(NAME install/${mode}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/run.sh ${mode} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/install-${mode} ${CMAKE_C_COMPILER})
  set_tests_properties(install/${mode} PROPERTIES LABELS install TIMEOUT 600)
endforeach()
