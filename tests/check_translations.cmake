# Fails when a user-visible string has no German or Chinese translation (issue 20): lupdate reads the sources
# into copies of translations/*.ts, and any entry it leaves "unfinished" is a string nobody translated.
# Arguments: LUPDATE (the lupdate executable), ROOT (source tree), LIST (file of sources and -I paths), WORK.
foreach(_lang IN ITEMS de zh_CN)
  set(_ts ${WORK}/terse_${_lang}.ts)
  file(COPY_FILE ${ROOT}/translations/terse_${_lang}.ts ${_ts})
  execute_process(COMMAND ${LUPDATE} -silent -no-obsolete -locations none @${LIST} -ts ${_ts}
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "lupdate failed (${_rc}): ${_err}")
  endif()
  file(READ ${_ts} _content)
  string(REGEX MATCHALL "<source>[^<]*</source>[ \t\r\n]*(<comment>[^<]*</comment>[ \t\r\n]*)?<translation type=\"unfinished\"" _missing "${_content}")
  list(LENGTH _missing _n)
  if(_n GREATER 0)
    set(_names "")
    foreach(_m IN LISTS _missing)
      string(REGEX REPLACE "^<source>([^<]*)</source>.*" "\\1" _s "${_m}")
      string(APPEND _names "\n  ${_s}")
    endforeach()
    message(FATAL_ERROR "${_n} string(s) without a ${_lang} translation (run `ninja update_translations`, "
                        "then translate them in translations/terse_${_lang}.ts):${_names}")
  endif()
  message(STATUS "${_lang}: every string translated")
endforeach()
