# inbox_module(NAME DEPS ...): a static library from src/NAME/*.cpp with public headers in include/.
function(inbox_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(inbox_${name} STATIC ${sources})
  target_include_directories(inbox_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(inbox_${name} PUBLIC ${ARG_DEPS} inbox_sanitizers PRIVATE inbox_warnings)
endfunction()

# inbox_test(NAME SOURCES... DEPS ...): a GoogleTest executable registered with CTest.
function(inbox_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  # A few test files per translation unit: each unit parses GoogleTest and the project's headers once, not once per
  # file (the sanitizer build of the tests is most of CI's time). Names in a file's anonymous namespace must
  # therefore be distinct within its test executable.
  set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 4)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
                                        inbox_warnings inbox_sanitizers)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABEL}"
                       TEST_PREFIX "${name}." )
endfunction()
