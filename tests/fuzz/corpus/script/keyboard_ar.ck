# Arabic: the standard Arabic letter rows; shift for hamza forms, harakat and Arabic-Indic
# digits. The park's name and the problem are typed on the keyboard; the address step opens on
# Latin letters. Stored text: keyboard_ar.check.
tap lang:ar
tap report
tap group:3
tap service:park-maintenance
expect-screen form
tap key:ح
tap key:د
tap key:ي
tap key:ق
tap key:ة
tap key:space
tap key:ا
tap key:ل
tap key:ن
tap key:ه
tap key:ر
expect-text حديقة النهر
screenshot name
tap next
tap option:playground
tap next
tap key:shift
screenshot shift
tap key:shift
tap key:ا
tap key:ل
tap key:shift
tap key:أ
tap key:ر
tap key:ج
tap key:و
tap key:ح
tap key:ة
tap key:space
tap key:م
tap key:ك
tap key:س
tap key:و
tap key:ر
tap key:ة
expect-text الأرجوحة مكسورة
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
expect-text حديقة النهر
screenshot review
tap submit
expect-screen done
