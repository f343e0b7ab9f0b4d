# Helpers shared by every folder's CMakeLists.

# lexroute_target(<target>): our include root and warnings.
function(lexroute_target target)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${target} PRIVATE ${LEXROUTE_WARNINGS})
endfunction()

# lexroute_test(<name> SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s]): one GoogleTest binary
# registered with ctest. The label says what the test needs: unit, redis, kafka, e2e.
function(lexroute_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  lexroute_target(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  # Any lexrouted a test starts serves /metrics on a free port, never the fixed default.
  gtest_discover_tests(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                       ENVIRONMENT LEXROUTE_METRICS_LISTEN=127.0.0.1:0 DISCOVERY_TIMEOUT 60)
endfunction()

# lexroute_embed(<out.cpp> <namespace> [PRELUDE <file>] FILES <file>...): each file's bytes
# (after the prelude's, when given) become a `std::string_view <stem>`, so the binary carries its
# Lua scripts without reading them from disk at run time.
function(lexroute_embed out namespace)
  cmake_parse_arguments(E "" "PRELUDE" "FILES" ${ARGN})
  set(deps)
  foreach(f ${E_FILES})
    list(APPEND deps ${CMAKE_CURRENT_SOURCE_DIR}/${f})
  endforeach()
  string(REPLACE ";" "|" files_arg "${deps}")
  set(prelude "")
  if(E_PRELUDE)
    set(prelude ${CMAKE_CURRENT_SOURCE_DIR}/${E_PRELUDE})
  endif()
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} "-DFILES=${files_arg}"
            "-DPRELUDE=${prelude}" -P ${PROJECT_SOURCE_DIR}/cmake/Embed.cmake
    DEPENDS ${deps} ${prelude} ${PROJECT_SOURCE_DIR}/cmake/Embed.cmake
    COMMENT "Embedding ${namespace} files"
    VERBATIM)
endfunction()
