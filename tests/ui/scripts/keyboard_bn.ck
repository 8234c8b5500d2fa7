# Bengali: Probhat: vowel signs on their own keys, ্ (hasanta) joins র and ক into a conjunct;
# shift for the independent vowels and aspirates. The park's name and the problem are typed on
# the keyboard; the address step opens on Latin letters. Stored text: keyboard_bn.check.
tap lang:bn
tap report
tap group:3
tap service:park-maintenance
expect-screen form
tap key:ন
tap key:দ
tap key:ী
tap key:space
tap key:প
tap key:া
tap key:র
tap key:্
tap key:ক
expect-text নদী পার্ক
screenshot name
tap next
tap option:playground
tap next
tap key:shift
screenshot shift
tap key:shift
tap key:দ
tap key:ো
tap key:ল
tap key:ন
tap key:া
tap key:space
tap key:shift
tap key:ভ
tap key:ে
tap key:shift
tap key:ঙ
tap key:ে
tap key:space
tap key:গ
tap key:ে
tap key:shift
tap key:ছ
tap key:ে
tap key:।
expect-text দোলনা ভেঙে গেছে।
tap next
tap next
tap key:1
tap key:2
tap key:space
tap key:shift
tap key:e
tap key:l
tap key:m
expect-text 12 Elm
tap key:native
tap key:latin
tap next
tap next
tap option:no
tap next
expect-screen review
expect-text নদী পার্ক
screenshot review
tap submit
expect-screen done
