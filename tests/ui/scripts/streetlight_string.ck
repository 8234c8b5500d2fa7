# A string attribute on the keyboard (the pole number), with its hint; required questions.
tap report
tap service:streetlight-out
expect-text RL-10423
tap key:shift
tap key:r
tap key:shift
tap key:l
tap key:symbols
tap key:-
tap key:letters
type 10423
expect-text RL-10423
screenshot form-string
tap next
tap next
expect-text Please choose one.
tap option:out
tap next
tap key:backspace
type 2
tap next
tap next
type Elm Street and 3rd Avenue
tap next
tap next
tap option:no
tap next
expect-screen review
expect-text RL-10423
tap submit
expect-screen done
