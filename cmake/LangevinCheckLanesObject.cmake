# cmake -DNM=… -DOBJECT=… -DKEEP=… -P LangevinCheckLanesObject.cmake: fails unless KEEP is the
# only global symbol OBJECT defines (a copy of the CPU lanes made self-contained by
# langevin_cpu_lanes in LangevinCpuTargets.cmake).
execute_process(COMMAND ${NM} --defined-only -g ${OBJECT}
                OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NM} could not read ${OBJECT}")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${symbols}")
foreach(line IN LISTS lines)
  if(NOT line MATCHES " ${KEEP}$")
    message(FATAL_ERROR "${OBJECT} still defines a global symbol besides ${KEEP}: ${line} "
                        "(another copy of the lanes, or the library, may define it too)")
  endif()
endforeach()
