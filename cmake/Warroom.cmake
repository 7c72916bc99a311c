# Compile options and test helpers shared by every target of ours.

if(WARROOM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# The fuzz build instruments every library for coverage, so libFuzzer sees into the code under
# test, and runs it under AddressSanitizer and UndefinedBehaviorSanitizer.
if(WARROOM_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Our own code is held to -Werror; generated protobuf code is not (see protos/). The fuzz build
# (clang, only the fuzz targets' libraries) keeps the warnings but does not stop on them: GCC's
# -Werror build gates every change.
set(WARROOM_WARNINGS -Wall -Wextra -Werror)
if(WARROOM_FUZZ)
  set(WARROOM_WARNINGS -Wall -Wextra)
endif()
# GCC 12 reports false positives when optimising: -Wrestrict inside libstdc++'s std::string
# concatenation (GCC bug 105329) and -Wmaybe-uninitialized through std::variant. Both stay on in
# Debug, the build every test runs in.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND WARROOM_WARNINGS
    $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict> $<$<NOT:$<CONFIG:Debug>>:-Wno-maybe-uninitialized>)
endif()

function(warroom_target_defaults target)
  target_compile_options(${target} PRIVATE ${WARROOM_WARNINGS})
endfunction()

# warroom_add_test(NAME name SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s])
# Tests are built where BUILD_TESTING is on (the Debug build of ./tools/dev test).
function(warroom_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT BUILD_TESTING)
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  warroom_target_defaults(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
