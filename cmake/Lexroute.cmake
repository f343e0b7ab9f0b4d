# Helpers shared by every folder's CMakeLists.

# lexroute_target(<target>): our include root and warnings.
function(lexroute_target target)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${target} PRIVATE ${LEXROUTE_WARNINGS})
endfunction()

# lexroute_test_warnings(<target>): tests build their requests with designated initializers
# (tests/support/builders.h: `review_task({.matter = "m-2"})`), whose omitted members keep their
# defaults on purpose; GCC 12 warns about each omitted member.
function(lexroute_test_warnings target)
  target_compile_options(${target} PRIVATE -Wno-missing-field-initializers)
endfunction()

# lexroute_test(<binary> SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s]
#               [ONE_PROCESS <name>=<gtest filter>...] [SANITIZE] [TSAN]):
# one GoogleTest binary, its files compiled as unity batches like the libraries (a test file's
# headers, gtest, gRPC and protobuf above all, are most of its compile time; a batch parses them
# once). File-local names must therefore be unique within a binary. The label says what the
# tests need: unit, redis, kafka, e2e.
#   ONE_PROCESS  each <name>=<filter> is one ctest test running the binary with that
#                --gtest_filter, so a suite can share what it starts (an end-to-end suite's dev
#                node) across its tests; the output names each failed TEST.
#   Every other TEST of the binary runs in a process of its own (gtest_discover_tests).
#   SANITIZE     the ONE_PROCESS tests of an end-to-end binary that scripts/test also runs under
#                ASan+UBSan (label asan; discovered tests carry one label, so ONE_PROCESS only).
#   TSAN         the binary's tests start threads of their own (queues, notifications,
#                failover under concurrent writes): scripts/test also runs them under
#                ThreadSanitizer. A ThreadSanitizer build registers no other tests.
# Tests labelled unit, redis or kafka run under ASan+UBSan. The targets lexroute_asan_tests,
# lexroute_tsan_tests and lexroute_end_to_end (made at the end of the root CMakeLists) build only
# the binaries each pass of scripts/test runs.
function(lexroute_test name)
  cmake_parse_arguments(T "SANITIZE;TSAN" "TIMEOUT" "SOURCES;LIBS;LABELS;ONE_PROCESS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  lexroute_target(${name})
  lexroute_test_warnings(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  foreach(label unit redis kafka)
    if(label IN_LIST T_LABELS)
      set_property(GLOBAL APPEND PROPERTY LEXROUTE_ASAN_TESTS ${name})
    endif()
  endforeach()
  if("e2e" IN_LIST T_LABELS)
    set_property(GLOBAL APPEND PROPERTY LEXROUTE_END_TO_END_TESTS ${name})
  endif()
  if(T_TSAN)
    # Under TSan, Debian's librdkafka (not built for it) crashes the TSan runtime in its own
    # threads (SEGV inside TSan, before any report): Kafka adapter tests cannot be TSAN.
    set_property(GLOBAL APPEND PROPERTY LEXROUTE_TSAN_TESTS ${name})
  elseif(LEXROUTE_TSAN)
    return()
  endif()
  # Any lexrouted a test starts serves /metrics on a free port, never the fixed default.
  set(environment LEXROUTE_METRICS_LISTEN=127.0.0.1:0)
  set(labels ${T_LABELS})
  if(T_SANITIZE)
    if(NOT T_ONE_PROCESS)
      message(FATAL_ERROR "lexroute_test(${name}): SANITIZE needs ONE_PROCESS")
    endif()
    list(APPEND labels asan)
    set_property(GLOBAL APPEND PROPERTY LEXROUTE_ASAN_TESTS ${name})
  endif()
  set(shared_filters)
  foreach(entry ${T_ONE_PROCESS})
    if(NOT entry MATCHES "^([a-z0-9_]+)=(.+)$")
      message(FATAL_ERROR "lexroute_test(${name}): ONE_PROCESS wants <name>=<filter>: ${entry}")
    endif()
    add_test(NAME ${CMAKE_MATCH_1} COMMAND ${name} --gtest_filter=${CMAKE_MATCH_2})
    set_tests_properties(${CMAKE_MATCH_1} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
                                                     ENVIRONMENT ${environment})
    list(APPEND shared_filters ${CMAKE_MATCH_2})
  endforeach()
  set(discover_filter)
  if(shared_filters)
    string(REPLACE ";" ":" shared_filters "${shared_filters}")
    set(discover_filter TEST_FILTER "-${shared_filters}")
  endif()
  gtest_discover_tests(${name} ${discover_filter}
                       PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                                  ENVIRONMENT ${environment} DISCOVERY_TIMEOUT 60)
endfunction()

# lexroute_sanitizer_targets(): lexroute_asan_tests and lexroute_tsan_tests, which build only the
# test binaries each sanitizer pass of scripts/test runs (and what they need), and
# lexroute_end_to_end: the binaries a deployment runs, the benchmarks, and the end-to-end tests,
# which is what scripts/test builds in build/ (the unit and adapter tests run under ASan+UBSan).
function(lexroute_sanitizer_targets)
  foreach(pass asan tsan)
    string(TOUPPER ${pass} PASS)
    get_property(tests GLOBAL PROPERTY LEXROUTE_${PASS}_TESTS)
    add_custom_target(lexroute_${pass}_tests)
    add_dependencies(lexroute_${pass}_tests ${tests})
  endforeach()
  get_property(tests GLOBAL PROPERTY LEXROUTE_END_TO_END_TESTS)
  add_custom_target(lexroute_end_to_end)
  add_dependencies(lexroute_end_to_end ${tests} lexrouted lexroute lexroute-loadtest
                   routing_benchmark metrics_benchmark)
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
