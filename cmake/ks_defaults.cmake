# Project-wide target settings and the helper that registers GoogleTest executables.

# Warnings for every target of ours (third-party headers come in as system includes).
function(ks_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 reports Asio's coroutine frame allocator (a sized operator delete paired with its own
  # operator new) as mismatched; the pairing is correct (GCC bug 105069 and kin).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
endfunction()

# ks_add_gtest(<name> LABELS <label>... SOURCES <src>... LIBS <lib>... [TIMEOUT <seconds>] [SERIAL])
# Builds a GoogleTest executable and registers each TEST as its own ctest test, carrying the
# given labels (unit, integration, ...). SERIAL marks them RUN_SERIAL (for tests that must own
# the machine, e.g. ones that restart PostgreSQL or measure throughput).
function(ks_add_gtest name)
  cmake_parse_arguments(arg "SERIAL" "TIMEOUT" "LABELS;SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  ks_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  set(props LABELS "${arg_LABELS}" TIMEOUT ${arg_TIMEOUT})
  if(arg_SERIAL)
    list(APPEND props RUN_SERIAL TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
endfunction()

# ks_require_pure(<target>): fails the configure step when <target> links, directly or through its
# dependencies, anything that does I/O (Asio, libpqxx, spdlog, libsystemd). Pure code (decisions,
# parsing, planning) stays testable without sockets or a database only while nobody adds such a
# link; this makes the build itself say so. Included headers are checked by the
# `pure_core_includes` test.
function(ks_require_pure target)
  set(forbidden ks_asio ks_async ks_kizen ks_postgres ks_service ks_engine PkgConfig::PQXX PkgConfig::SYSTEMD
                spdlog::spdlog spdlog::spdlog_header_only)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    if(NOT TARGET ${current})
      continue()
    endif()
    get_target_property(type ${current} TYPE)
    set(links "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND links ${direct})
      endif()
    endif()
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND links ${interface})
    endif()
    foreach(link IN LISTS links)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      if(link IN_LIST forbidden)
        message(FATAL_ERROR "${target} must stay pure, but ${current} links ${link}")
      endif()
      list(APPEND queue ${link})
    endforeach()
  endwhile()
endfunction()
