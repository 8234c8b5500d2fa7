# Idle: a warning with a countdown and More time; then everything typed is wiped.
tap report
tap service:pothole
tap option:small
tap next
type 73.5
advance-clock 59
expect-screen form
advance-clock 1
expect-screen idle-warning
expect-text Do you need more time?
expect-text 20 seconds
advance-clock 5
expect-text 15 seconds
screenshot idle-warning
tap more-time
expect-screen form
expect-text 73.5
advance-clock 60
expect-screen idle-warning
advance-clock 20
expect-screen welcome
# a new resident starts clean: nothing the last one chose or typed is there
tap report
tap service:pothole
expect-no-text (*)
tap option:small
tap next
expect-no-text 73.5
tap cancel
expect-screen cancel-confirm
screenshot cancel-confirm
tap cancel-no
expect-screen form
tap cancel
tap cancel-yes
expect-screen welcome
# on welcome with nothing chosen there is nothing to time out
advance-clock 300
expect-screen welcome
