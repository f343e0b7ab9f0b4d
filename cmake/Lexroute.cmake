# Helpers shared by every folder's CMakeLists.

# lexroute_target(<target>): our include root and warnings.
function(lexroute_target target)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${target} PRIVATE ${LEXROUTE_WARNINGS})
endfunction()

# lexroute_test(<name> SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s] [ONE_PROCESS] [SANITIZE]):
# one GoogleTest binary registered with ctest. The label says what the test needs: unit, redis,
# kafka, e2e.
#   ONE_PROCESS  ctest runs the whole binary as one test, so a suite can share what it starts (an
#                end-to-end suite's dev node) across its tests; the output names each failed TEST.
#                Without it, every TEST runs in a process of its own.
#   SANITIZE     an end-to-end suite that scripts/test also runs under ASan+UBSan (label asan;
#                ONE_PROCESS suites only, as discovered tests carry one label).
# Tests labelled unit, redis or kafka run under ASan+UBSan, unit and redis under ThreadSanitizer. The
# targets lexroute_asan_tests and lexroute_tsan_tests (made at the end of the root CMakeLists)
# build only the binaries each sanitizer pass runs.
function(lexroute_test name)
  cmake_parse_arguments(T "ONE_PROCESS;SANITIZE" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  lexroute_target(${name})
  # Test files repeat fixture and helper names; each stays a translation unit of its own.
  set_target_properties(${name} PROPERTIES UNITY_BUILD OFF)
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  foreach(label unit redis kafka)
    if(label IN_LIST T_LABELS)
      set_property(GLOBAL APPEND PROPERTY LEXROUTE_ASAN_TESTS ${name})
      # Under TSan, Debian's librdkafka (not built for it) crashes the TSan runtime in its own
      # threads (SEGV inside TSan, before any report): the Kafka adapter tests run under ASan only.
      if(NOT label STREQUAL kafka)
        set_property(GLOBAL APPEND PROPERTY LEXROUTE_TSAN_TESTS ${name})
      endif()
    endif()
  endforeach()
  # Any lexrouted a test starts serves /metrics on a free port, never the fixed default.
  set(environment LEXROUTE_METRICS_LISTEN=127.0.0.1:0)
  if(T_ONE_PROCESS)
    set(labels ${T_LABELS})
    if(T_SANITIZE)
      list(APPEND labels asan)
      set_property(GLOBAL APPEND PROPERTY LEXROUTE_ASAN_TESTS ${name})
    endif()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
                                            ENVIRONMENT ${environment})
  else()
    if(T_SANITIZE)
      message(FATAL_ERROR "lexroute_test(${name}): SANITIZE needs ONE_PROCESS")
    endif()
    gtest_discover_tests(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                         ENVIRONMENT ${environment} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# lexroute_sanitizer_targets(): lexroute_asan_tests and lexroute_tsan_tests, which build only the
# test binaries each sanitizer pass of scripts/test runs (and what they need).
function(lexroute_sanitizer_targets)
  foreach(pass asan tsan)
    string(TOUPPER ${pass} PASS)
    get_property(tests GLOBAL PROPERTY LEXROUTE_${PASS}_TESTS)
    add_custom_target(lexroute_${pass}_tests)
    add_dependencies(lexroute_${pass}_tests ${tests})
  endforeach()
endfunction()

# lexroute_embed(<out.cpp> <namespace> [PRELUDE <file>] [HEADER <out.h> LIST_MACRO <name>]
#                FILES <file>...): each file's bytes (after the prelude's, when given) become a
# `std::string_view <stem>`, so the binary carries its Lua scripts and web files without reading
# them from disk at run time. HEADER declares them, with LIST_MACRO(X) expanding to X(<stem>) for
# each file: adding a file to FILES is then all it takes.
function(lexroute_embed out namespace)
  cmake_parse_arguments(E "" "PRELUDE;HEADER;LIST_MACRO" "FILES" ${ARGN})
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
    OUTPUT ${out} ${E_HEADER}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} "-DFILES=${files_arg}"
            "-DPRELUDE=${prelude}" "-DHEADER=${E_HEADER}" "-DLIST_MACRO=${E_LIST_MACRO}"
            -P ${PROJECT_SOURCE_DIR}/cmake/Embed.cmake
    DEPENDS ${deps} ${prelude} ${PROJECT_SOURCE_DIR}/cmake/Embed.cmake
    COMMENT "Embedding ${namespace} files"
    VERBATIM)
endfunction()
