# SPDX-License-Identifier: MIT
# cmake --install: headers, static and shared libraries, pkg-config files
# (fin.pc: engine + runtime; fin-engine.pc: the engine alone) and the CMake
# package (find_package(fin) -> fin::engine, fin::net, fin::*_static).
include(CMakePackageConfigHelpers)

get_property(_fin_targets GLOBAL PROPERTY FIN_LIBRARY_TARGETS)
get_property(_fin_headers GLOBAL PROPERTY FIN_PUBLIC_HEADERS)
list(APPEND _fin_headers ${PROJECT_SOURCE_DIR}/include/fin/fin.h)
install(TARGETS ${_fin_targets} EXPORT finTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${_fin_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fin)

set(FIN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fin)
install(EXPORT finTargets NAMESPACE fin:: DESTINATION ${FIN_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/finConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/finConfig.cmake
                              INSTALL_DESTINATION ${FIN_CMAKE_DIR})
# 0.x: a new minor version may break the API, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/finConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/finConfig.cmake ${PROJECT_BINARY_DIR}/finConfigVersion.cmake
        DESTINATION ${FIN_CMAKE_DIR})

# Relocatable: the prefix is found from where the .pc file is.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(FIN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _fin_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" _fin_up "${_fin_up}")
  set(FIN_PC_PREFIX "\${pcfiledir}/${_fin_up}")
endif()
set(FIN_PC_LIBS_PRIVATE "")
if(FIN_PCAP)
  set(FIN_PC_LIBS_PRIVATE "-lpcap")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/fin-engine.pc.in ${PROJECT_BINARY_DIR}/fin-engine.pc @ONLY)
set(_fin_pc_files ${PROJECT_BINARY_DIR}/fin-engine.pc)
if(FIN_NET)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/fin.pc.in ${PROJECT_BINARY_DIR}/fin.pc @ONLY)
  list(APPEND _fin_pc_files ${PROJECT_BINARY_DIR}/fin.pc)
endif()
install(FILES ${_fin_pc_files} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/fin
        OPTIONAL)
