# SPDX-License-Identifier: MIT
# Documentation targets.
#   docs  the API reference: scripts/api-docs.sh (doxygen over include/fin,
#         every warning an error) into <build>/docs/html
#   man   the man pages: docs/man/*.scd through scdoc into <build>/man/man1;
#         built with the CLI and installed under share/man/man1 when scdoc
#         is found (Debian: scdoc; scripts/install-deps.sh installs it)
add_custom_target(docs
                  COMMAND ${PROJECT_SOURCE_DIR}/scripts/api-docs.sh ${PROJECT_BINARY_DIR}/docs
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} USES_TERMINAL
                  COMMENT "API reference (doxygen, warnings are errors)")

if(FIN_CLI)
  find_program(SCDOC_EXECUTABLE scdoc)
  file(GLOB FIN_MAN_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*.scd)
  if(SCDOC_EXECUTABLE)
    set(_fin_man_pages "")
    foreach(src ${FIN_MAN_SOURCES})
      get_filename_component(page ${src} NAME_WE) # fin-sim.1.scd -> fin-sim
      set(out ${PROJECT_BINARY_DIR}/man/man1/${page}.1)
      add_custom_command(OUTPUT ${out}
                         COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man/man1
                         COMMAND ${SCDOC_EXECUTABLE} < ${src} > ${out}
                         DEPENDS ${src} VERBATIM)
      list(APPEND _fin_man_pages ${out})
    endforeach()
    add_custom_target(man ALL DEPENDS ${_fin_man_pages})
    if(FIN_INSTALL)
      install(FILES ${_fin_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    endif()
  else()
    message(STATUS "fin: scdoc not found: no man pages (Debian: apt-get install scdoc)")
    add_custom_target(man COMMAND ${CMAKE_COMMAND} -E echo
                      "man: scdoc is not installed (Debian: apt-get install scdoc)")
  endif()
endif()
