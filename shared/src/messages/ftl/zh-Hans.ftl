## The username policy (docs/policy.md)

empty = 请输入用户名。
too_long = 用户名最多只能包含{ $max }个字符。
too_short = 用户名至少需要包含{ $min }个字符。
control_character = 用户名不能包含制表符、换行符等控制字符。
bidi_control = 用户名不能包含文字方向控制字符。
whitespace = 用户名不能包含空格。
invisible_character = 用户名不能包含不可见字符。
format_character = 用户名不能包含格式字符。
private_use_character = 用户名不能包含私用区字符。
noncharacter = 用户名不能包含Unicode非字符。
unassigned_character = 用户名不能包含Unicode中未分配的字符。
not_display_form = 请写成“{ $display }”。
compatibility_character = 用户名不能包含连字、上标、带圈字母、数学字母等特殊样式字符。
disallowed_character = 用户名只能包含字母和数字，以及位于它们之间的 . _ -。
bidi_rule = 从右向左书写的用户名必须以从右向左书写的字母开头，以字母或数字结尾，且不能混用从左向右书写的字母。
separator_at_edge = 用户名不能以 . _ 或 - 开头或结尾。
consecutive_separators = 用户名中不能连续出现两个 . _ - 字符。
no_letter = 用户名必须至少包含一个字母。
misplaced_combining_mark = 重音符号必须紧跟在字母之后。
too_many_combining_marks = 一个字母最多只能带{ $max }个重音符号。
repeated_combining_mark = 同一个字母不能带两个相同的重音符号。
mixed_scripts = 用户名不能混用不同书写系统的字母。
mixed_digits = 用户名中的数字必须属于同一种数字系统。
whole_script_confusable = 该用户名看起来像是用另一种文字书写的名称。
looks_like_email = 用户名不能类似于电子邮件地址。
looks_like_url = 用户名不能类似于网址。
looks_like_domain = 用户名不能类似于域名。
looks_like_punycode = 用户名不能包含经过编码的域名标签 (xn--)。
looks_like_phone_number = 用户名不能类似于电话号码或证件号码。
reserved = 该用户名已被保留。
inappropriate = 不允许使用该用户名。
unstable_normalization = 该用户名无法使用。

## Sign-up and the registry

name_taken = 该用户名已被占用。
name_required = 请设置一个用户名。
registry_timeout = 连接用户名服务超时，请重试。
registry_unavailable = 暂时无法连接用户名服务，请重试。
registry_corrupt = 暂时无法读取用户名服务的数据，请重试。

## The HTTP API (docs/api.md)

bad_request = 请发送类似 {"{"}"username": "new_name"{"}"} 的JSON请求体。
bad_name_encoding = 路径中的名称必须是经过百分号编码的UTF-8。
body_too_large = 请求体过大：请发送 {"{"}"username": "new_name"{"}"}。
unauthorized = 请先登录：以 `Authorization: Bearer <token>` 的形式发送访问令牌或ID令牌。
name_immutable = 用户名是您登录时使用的名称，因此无法更改或放弃。
rename_cooldown = 您最近更改过用户名，{ $unit ->
        [day] { $count }天
        [hour] { $count }小时
        [minute] { $count }分钟
       *[second] { $count }秒
    }后才能再次更改。
not_found = 此处没有内容：请查看 /v1/ 下的API路由。
method_not_allowed = 此路由不支持该方法，仅支持 { $allow }。
