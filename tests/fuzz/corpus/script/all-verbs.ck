# every verb, and lines the parser must refuse
tap service:pothole
hold hidden:staff
type  two leading spaces kept	and a tab
key enter
key-to submit
page-to service:graffiti
expect-screen done
expect-text R7Q-W2B
expect-no-text Error
screenshot done-ar
wait-idle
advance-clock 2.5
pause 0.1
hang 1e2
wait-sync
wait-sync 30
fleet-poll
advance-clock -1
advance-clock nan
advance-clock 1e400
tap two words
wait-idle now
tap
frobnicate x
type crlf
   # indented comment

