## The username policy (docs/policy.md)

empty = ユーザー名を入力してください。
too_long = ユーザー名は{ $max }文字以内にしてください。
too_short = ユーザー名は{ $min }文字以上にしてください。
control_character = ユーザー名には、タブや改行などの制御文字は使用できません。
bidi_control = ユーザー名には、テキストの方向を制御する文字は使用できません。
whitespace = ユーザー名には、スペースは使用できません。
invisible_character = ユーザー名には、目に見えない文字は使用できません。
format_character = ユーザー名には、書式制御文字は使用できません。
private_use_character = ユーザー名には、私用領域の文字（外字）は使用できません。
noncharacter = ユーザー名には、Unicodeの非文字は使用できません。
unassigned_character = ユーザー名には、Unicodeで未割り当ての文字は使用できません。
not_display_form = 「{ $display }」と入力してください。
compatibility_character = ユーザー名には、合字、上付き文字、丸囲み文字、数学用英数字などの装飾された文字は使用できません。
disallowed_character = ユーザー名に使用できるのは、文字と数字、およびその間に入れる . _ - だけです。
bidi_rule = 右から左に書くユーザー名は、右から左に書く文字で始まり、文字か数字で終わる必要があります。また、左から右に書く文字は混在させられません。
separator_at_edge = ユーザー名の先頭と末尾には . _ - を使用できません。
consecutive_separators = ユーザー名には、. _ - を2つ続けて使用することはできません。
no_letter = ユーザー名には、文字を1つ以上含めてください。
misplaced_combining_mark = アクセント記号は文字の後に付けてください。
too_many_combining_marks = 1つの文字に付けられるアクセント記号は{ $max }個までです。
repeated_combining_mark = 1つの文字に同じアクセント記号を2回付けることはできません。
mixed_scripts = ユーザー名には、異なる文字体系の文字を混在させることはできません。
mixed_digits = ユーザー名の数字は、1種類の数字体系でそろえてください。
whole_script_confusable = このユーザー名は、別の文字体系で書かれた名前のように見えます。
looks_like_email = メールアドレスのようなユーザー名は使用できません。
looks_like_url = ウェブアドレスのようなユーザー名は使用できません。
looks_like_domain = ドメイン名のようなユーザー名は使用できません。
looks_like_punycode = ユーザー名には、エンコードされたドメインラベル (xn--) は使用できません。
looks_like_phone_number = 電話番号やID番号のようなユーザー名は使用できません。
reserved = このユーザー名は予約されています。
inappropriate = このユーザー名は許可されていません。
unstable_normalization = このユーザー名は使用できません。

## Sign-up and the registry

name_taken = このユーザー名はすでに使用されています。
name_required = ユーザー名を設定してください。
registry_timeout = ユーザー名の登録サービスから時間内に応答がありませんでした。もう一度お試しください。
registry_unavailable = 現在、ユーザー名の登録サービスに接続できません。もう一度お試しください。
registry_corrupt = 現在、ユーザー名の登録サービスのデータを読み取れません。もう一度お試しください。

## The HTTP API (docs/api.md)

bad_request = {"{"}"username": "new_name"{"}"} のようなJSON形式のリクエスト本文を送信してください。
bad_name_encoding = パス内の名前は、パーセントエンコードされたUTF-8である必要があります。
body_too_large = リクエスト本文が大きすぎます。{"{"}"username": "new_name"{"}"} を送信してください。
unauthorized = 先にサインインしてください。アクセストークンまたはIDトークンを `Authorization: Bearer <token>` の形式で送信してください。
name_immutable = ユーザー名はサインインに使用する名前のため、変更したり手放したりすることはできません。
rename_cooldown = ユーザー名は最近変更されました。次に変更できるのは{ $unit ->
        [day] { $count }日後
        [hour] { $count }時間後
        [minute] { $count }分後
       *[second] { $count }秒後
    }です。
not_found = ここには何もありません。APIのルートは /v1/ 以下を参照してください。
method_not_allowed = このルートではこのメソッドは使用できません。使用できるのは { $allow } です。
