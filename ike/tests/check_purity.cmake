# Enforces that ike/ stays pure: no sockets, netlink, Boost/Asio, threads or wall clock.
# Run by ctest as `ike_purity`: cmake -DIKE_DIR=<ike/> -P check_purity.cmake
file(GLOB_RECURSE sources ${IKE_DIR}/*.h ${IKE_DIR}/*.cpp)
set(forbidden
  "boost/" "asio" "sys/socket.h" "netinet/" "arpa/inet.h" "linux/netlink.h" "linux/xfrm.h"
  "libmnl" "<thread>" "<mutex>" "std::thread" "system_clock" "steady_clock" "high_resolution_clock"
  "<ctime>" "time(nullptr)" "gettimeofday" "clock_gettime" "RAND_bytes" "getrandom" "/dev/urandom")
# The one <mutex> use is std::call_once for read-only per-group DH constants (dh.cpp).
set(allowed_mutex "${IKE_DIR}/crypto/dh.cpp")
set(bad "")
foreach(f ${sources})
  file(READ ${f} text)
  foreach(pat ${forbidden})
    string(FIND "${text}" "${pat}" pos)
    if(NOT pos EQUAL -1)
      if(pat STREQUAL "<mutex>" AND f STREQUAL allowed_mutex)
        continue()
      endif()
      string(APPEND bad "  ${f}: ${pat}\n")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "ike/ must stay pure; forbidden uses found:\n${bad}")
endif()
message(STATUS "ike/ purity check passed")
