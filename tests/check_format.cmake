# House style (design.md, issue 19): every C++ source of the project follows .clang-format. Run by ctest as
# style/clang_format: cmake -DCLANG_FORMAT=... -DSOURCE_DIR=... -P check_format.cmake
# Fix with: clang-format -i <file> (the failure lists the files).
file(GLOB_RECURSE _sources
     ${SOURCE_DIR}/engine/*.cpp ${SOURCE_DIR}/engine/*.h
     ${SOURCE_DIR}/app/*.cpp ${SOURCE_DIR}/app/*.h
     ${SOURCE_DIR}/widgets/*.cpp ${SOURCE_DIR}/widgets/*.h
     ${SOURCE_DIR}/tests/*.cpp ${SOURCE_DIR}/tests/*.h)
set(_bad "")
foreach(_f IN LISTS _sources)
  execute_process(COMMAND ${CLANG_FORMAT} --style=file --dry-run --Werror ${_f}
                  RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT _rc EQUAL 0)
    file(RELATIVE_PATH _rel ${SOURCE_DIR} ${_f})
    list(APPEND _bad ${_rel})
  endif()
endforeach()
list(LENGTH _sources _n)
if(_bad)
  list(LENGTH _bad _nbad)
  list(JOIN _bad "\n  " _list)
  message(FATAL_ERROR "${_nbad} of ${_n} sources do not follow .clang-format (clang-format -i fixes them):\n  ${_list}")
endif()
message(STATUS "${_n} sources follow .clang-format")
