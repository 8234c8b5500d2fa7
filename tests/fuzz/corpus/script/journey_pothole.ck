# A resident reports a pothole, answers every question, asks for updates, and submits.
expect-screen welcome
expect-text How can we help you today?
screenshot welcome
tap report
expect-screen services
screenshot services
tap service:pothole
expect-screen form
expect-text How big is the pothole?
# Next without an answer: the required question says so
tap next
expect-text Please choose one.
screenshot form-single-required
tap option:large
tap next
# number: keypad; letters are refused
type 4x.5
expect-text 4.5
screenshot form-number
tap next
tap option:travel-lane
tap next
# datetime: the picker
expect-no-text Chosen:
tap day:2026-11-23
tap hour-
tap minute+
expect-text Chosen: November 23, 2026
screenshot form-datetime
tap next
# location, typed on the keyboard
expect-text Where is the problem?
tap next
expect-text Please type the address or nearest corner.
tap key:1
tap key:2
tap key:0
tap key:space
tap key:shift
tap key:m
type ain Street
expect-text 120 Main Street
screenshot form-address
tap next
# description with a counter
type Deep hole in front of the bus stop. Cars swerve around it.
expect-text 58 of 4000 characters
screenshot form-description
tap next
tap option:yes
screenshot form-updates
tap next
type Ana
tap next
type Torres
tap next
type ana.torres@example
tap next
expect-text Enter an email address like name@example.com.
screenshot form-email-invalid
type .com
tap next
tap next
expect-screen review
expect-text Large
expect-text 120 Main Street
expect-text ana.torres@example.com
screenshot review
tap submit
expect-screen done
expect-text Thank you. Your request is saved.
expect-text Pothole
screenshot done
tap rating:4
expect-text Thank you for your feedback.
tap finish
expect-screen welcome
