# SPDX-License-Identifier: MIT
# fin_add_library(NAME OUTPUT file SOURCES ... HEADERS ... [LINK fin_x ...] [PRIVATE_LINK ...])
# builds target fin_NAME (static, lib<file>.a) and, with FIN_SHARED, fin_NAME_shared
# (lib<file>.so.<major>) from one set of position-independent objects. The
# shared library exports exactly the functions declared in HEADERS (a linker
# version script generated from them), so internal fin_ functions stay
# local and the ABI is the public headers. Exported as fin::NAME (the shared
# one when built) and fin::NAME_static; the same names are aliases in-tree.
function(fin_add_library name)
  cmake_parse_arguments(A "" "OUTPUT" "SOURCES;HEADERS;LINK;PRIVATE_LINK" ${ARGN})
  set(objs fin_${name}_objects)
  add_library(${objs} OBJECT ${A_SOURCES})
  set_target_properties(${objs} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${objs} PRIVATE ${FIN_WARNINGS} -fno-semantic-interposition)
  target_include_directories(${objs} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  set(public_includes $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

  add_library(fin_${name} STATIC $<TARGET_OBJECTS:${objs}>)
  set_target_properties(fin_${name} PROPERTIES OUTPUT_NAME ${A_OUTPUT})
  target_include_directories(fin_${name} PUBLIC ${public_includes})
  target_link_libraries(fin_${name} PUBLIC ${A_LINK} PRIVATE ${A_PRIVATE_LINK})
  set(targets fin_${name})

  if(FIN_SHARED)
    set(map ${PROJECT_BINARY_DIR}/fin_${name}.map)
    fin_write_version_script(${map} ${A_HEADERS})
    add_library(fin_${name}_shared SHARED $<TARGET_OBJECTS:${objs}>)
    set_target_properties(fin_${name}_shared PROPERTIES
      OUTPUT_NAME ${A_OUTPUT} VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
      EXPORT_NAME ${name} LINK_DEPENDS ${map})
    target_include_directories(fin_${name}_shared PUBLIC ${public_includes})
    set(shared_links "")
    foreach(l ${A_LINK})
      list(APPEND shared_links ${l}_shared)
    endforeach()
    target_link_libraries(fin_${name}_shared PUBLIC ${shared_links} PRIVATE ${A_PRIVATE_LINK})
    target_link_options(fin_${name}_shared PRIVATE "LINKER:--version-script=${map}"
                        "LINKER:--no-undefined")
    set_target_properties(fin_${name} PROPERTIES EXPORT_NAME ${name}_static)
    add_library(fin::${name} ALIAS fin_${name}_shared)
    add_library(fin::${name}_static ALIAS fin_${name})
    list(APPEND targets fin_${name}_shared)
  else()
    set_target_properties(fin_${name} PROPERTIES EXPORT_NAME ${name})
    add_library(fin::${name} ALIAS fin_${name})
    add_library(fin::${name}_static ALIAS fin_${name})
  endif()
  set_property(GLOBAL APPEND PROPERTY FIN_LIBRARY_TARGETS ${targets})
  set_property(GLOBAL APPEND PROPERTY FIN_PUBLIC_HEADERS ${A_HEADERS})
endfunction()

# The functions the headers declare: every "fin_xxx(" outside a comment.
function(fin_public_functions out)
  set(names "")
  foreach(h ${ARGN})
    file(READ ${h} text)
    string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
    string(REGEX REPLACE "//[^\n]*" "" text "${text}")
    string(REGEX MATCHALL "[^A-Za-z0-9_]fin_[a-z0-9_]+[ \t\r\n]*\\([^*]" hits "${text}")
    foreach(hit ${hits})
      string(REGEX MATCH "fin_[a-z0-9_]+" n "${hit}")
      list(APPEND names ${n})
    endforeach()
    set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${h})
  endforeach()
  list(REMOVE_DUPLICATES names)
  list(SORT names)
  set(${out} ${names} PARENT_SCOPE)
endfunction()

function(fin_write_version_script map)
  fin_public_functions(names ${ARGN})
  set(body "")
  foreach(n ${names})
    string(APPEND body "    ${n};\n")
  endforeach()
  file(CONFIGURE OUTPUT ${map} CONTENT
       "/* Generated from the public headers by cmake/fin-libraries.cmake. */\nFIN_${PROJECT_VERSION_MAJOR} {\n  global:\n${body}  local:\n    *;\n};\n")
  string(REPLACE ";" " " flat "${names}")
  file(CONFIGURE OUTPUT ${map}.names CONTENT "${flat}\n")
endfunction()
