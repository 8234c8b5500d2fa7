# Urdu: the phonetic layout with ٹ ڑ ڈ ں ھ ے ہ on keys of their own; shift for the rest. The
# park's name and the problem are typed on the keyboard; the address step opens on Latin
# letters. Stored text: keyboard_ur.check.
tap lang:ur
tap report
tap group:3
tap service:park-maintenance
expect-screen form
tap key:د
tap key:ر
tap key:ی
tap key:ا
tap key:space
tap key:پ
tap key:ا
tap key:ر
tap key:ک
expect-text دریا پارک
screenshot name
tap next
tap option:playground
tap next
tap key:shift
screenshot shift
tap key:shift
tap key:ج
tap key:ھ
tap key:و
tap key:ل
tap key:ا
tap key:space
tap key:ٹ
tap key:و
tap key:ٹ
tap key:ا
tap key:space
tap key:ہ
tap key:و
tap key:ا
tap key:space
tap key:ہ
tap key:ے
tap key:۔
expect-text جھولا ٹوٹا ہوا ہے۔
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
expect-text دریا پارک
screenshot review
tap submit
expect-screen done
