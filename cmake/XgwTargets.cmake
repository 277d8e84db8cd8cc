# Helpers that give every xgw target the same strict flags and test wiring.

# Our own code is warning-free: -Wall -Wextra -Werror. Third-party headers come in as
# system includes, so their warnings do not break the build.
function(xgw_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor)
endfunction()

# xgw_test(NAME SOURCES... [LIBS lib...] [LABELS label...] [PREFIX prefix]): a GoogleTest
# binary in build/bin, registered with ctest test by test so a failure names the exact case
# (named PREFIX<Suite.Case> when PREFIX is given).
#
# Test code itself is built without optimisation: -O2 on the test sources was a third of the
# build's CPU time (kat_test.cpp 30 s at -O2, 13 s at -O0) and bought nothing, as the code
# under test lives in the libraries, which keep the build type's flags.
function(xgw_test name)
  cmake_parse_arguments(ARG "" "PREFIX" "LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  xgw_strict(${name})
  target_compile_options(${name} PRIVATE -O0)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST TEST_PREFIX "${ARG_PREFIX}"
                       PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
