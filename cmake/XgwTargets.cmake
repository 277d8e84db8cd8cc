# Helpers that give every xgw target the same strict flags and test wiring.

# Our own code is warning-free: -Wall -Wextra -Werror. Third-party headers come in as
# system includes, so their warnings do not break the build.
function(xgw_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor)
endfunction()

# xgw_test(NAME SOURCES... [LIBS lib...]): a GoogleTest binary in build/bin, registered with
# ctest test by test so a failure names the exact case.
function(xgw_test name)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  xgw_strict(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
