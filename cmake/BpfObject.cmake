# xgw_bpf_object(NAME SOURCE [INCLUDES dir...])
#
# Compiles SOURCE (a *.bpf.c file) with clang -target bpf into NAME.bpf.o, generates its
# skeleton header NAME.skel.h with `bpftool gen skeleton ... name NAME`, and defines the
# INTERFACE target NAME_skel that C++ code links to reach the object. The skeleton embeds the
# object, so binaries need no .o file at run time.
#
# Plain uapi headers (not vmlinux.h): packet parsing needs no CO-RE, the build does not depend
# on the build machine's kernel, and it compiles in a fraction of the time (host-facts.md).

find_program(XGW_CLANG clang REQUIRED)
find_program(XGW_BPFTOOL bpftool PATHS /usr/sbin /sbin REQUIRED)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
                OUTPUT_VARIABLE XGW_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT XGW_MULTIARCH)
  set(XGW_MULTIARCH x86_64-linux-gnu)
endif()

function(xgw_bpf_object name source)
  cmake_parse_arguments(ARG "" "" "INCLUDES" ${ARGN})
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/${source})
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/bpfobj)
  set(obj ${outdir}/${name}.bpf.o)
  set(skel ${outdir}/${name}.skel.h)
  set(inc_flags)
  foreach(dir ${ARG_INCLUDES})
    list(APPEND inc_flags -I${dir})
  endforeach()
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND ${XGW_CLANG} -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall -Wextra -Werror
            -I/usr/include/${XGW_MULTIARCH} ${inc_flags}
            -MD -MF ${obj}.d -c ${src} -o ${obj}
    DEPENDS ${src}
    DEPFILE ${obj}.d
    COMMENT "BPF ${name}: clang -target bpf"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${XGW_BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "BPF ${name}: bpftool gen skeleton"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  # The skeleton is generated code: include it as a system header so -Werror applies only
  # to our own sources.
  target_include_directories(${name}_skel SYSTEM INTERFACE ${outdir})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
  set_property(TARGET ${name}_skel PROPERTY XGW_BPF_OBJECT ${obj})
endfunction()
