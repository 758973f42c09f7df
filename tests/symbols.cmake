# SPDX-License-Identifier: MIT
# unit/library_symbols: no unprefixed global in any library, and the shared
# libraries export exactly their public headers' functions
# (scripts/check-symbols.sh).
set(_fin_sym_args --archive $<TARGET_FILE:fin_engine> --archive $<TARGET_FILE:fin_net>
                  --archive $<TARGET_FILE:fin_tools>)
if(TARGET fin_engine_shared)
  list(APPEND _fin_sym_args --shared $<TARGET_FILE:fin_engine_shared>
       ${PROJECT_BINARY_DIR}/fin_engine.map.names --shared $<TARGET_FILE:fin_net_shared>
       ${PROJECT_BINARY_DIR}/fin_net.map.names)
endif()
add_test(NAME unit/library_symbols COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-symbols.sh
                                           ${_fin_sym_args})
set_tests_properties(unit/library_symbols PROPERTIES LABELS unit)
