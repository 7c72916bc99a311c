# Compile options and test helpers shared by every target of ours.

if(WARROOM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Our own code is held to -Werror; generated protobuf code is not (see protos/).
set(WARROOM_WARNINGS -Wall -Wextra -Werror)

function(warroom_target_defaults target)
  target_compile_options(${target} PRIVATE ${WARROOM_WARNINGS})
endfunction()

# warroom_add_test(NAME name SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s])
function(warroom_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
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
