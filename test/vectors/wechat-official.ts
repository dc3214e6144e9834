/**
 * Test vectors published by WeChat itself: worked examples in the official
 * documentation and constants from the official WXBizMsgCrypt sample code.
 * Every value is copied exactly as published; nothing here was computed by us.
 * Where a page leaves a value out (e.g. the decrypted echostr of the sample
 * code's URL check), it is left out here too.
 */

/** 43 × 'A': base64-decodes to 32 zero bytes, so the IV is 16 zero bytes too. */
export const ALL_A_KEY = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * GET verification example (发起验证), Token="AAAAA".
 * Source: https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
 */
export const urlVerification = {
  token: 'AAAAA',
  timestamp: '1714036504',
  nonce: '1514711492',
  signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
  echostr: '4375120948345356249',
} as const;

/**
 * Plaintext-mode push (消息解密方式为明文模式), Token="AAAAA".
 * Source: https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.md
 * (same example in https://developers.weixin.qq.com/doc/oplatform/developers/dev/push/encryption.md
 * and https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html)
 */
export const plainPush = {
  token: 'AAAAA',
  timestamp: '1714037059',
  nonce: '486452656',
  signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
} as const;

/**
 * Safe-mode push with a JSON body (消息解密方式为安全模式) and the encrypted reply.
 * Source: https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html
 * (same example in https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html)
 */
export const safeModeJson = {
  token: 'AAAAA',
  encodingAESKey: ALL_A_KEY,
  appId: 'wxba5fad812f8e6fb9',
  timestamp: '1714112445',
  nonce: '415670741',
  signature: '6c5c811b55cc85e0e1b54100749188c20beb3f5d',
  msgSignature: '046e02f8204d34f8ba5fa3b1db94908f3df2e9b3',
  encrypt:
    '+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=',
  /** "将Encrypt密文进行Base64解码，得到TmpMsg， 字节长度为224" */
  encryptedBytes: 224,
  /** "得到FullStr，字节长度为205" (random + length + msg + appid, padding removed) */
  fullStrBytes: 205,
  random: 'a8eedb185eb2fecf',
  msgLen: 167,
  message:
    '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
  reply: {
    random: '707722b803182950',
    msgLen: 25,
    message: '{"demo_resp":"good luck"}',
    /** "FullStr的字节大小为63" then "TmpMsg，字节大小为64": a single pad byte. */
    fullStrBytes: 63,
    encryptedBytes: 64,
    encrypt: 'ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==',
    timestamp: '1713424427',
    nonce: '415670741',
    msgSignature: '1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1',
  },
} as const;

/**
 * Third-party platform push with an XML body; the decrypted message keeps the
 * newlines between elements. The AppID inside is the platform's, not the
 * authorizer's (wxba5fad812f8e6fb9) that appears in the URL.
 * Source: https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/message_push.html
 */
export const thirdPartyXml = {
  token: 'AAAAA',
  encodingAESKey: ALL_A_KEY,
  appId: 'wx134c8103faa5a59e',
  timestamp: '1715943329',
  nonce: '1590219412',
  signature: 'cc0c594499c1634947d5b502f158ee518947db27',
  msgSignature: '6c12a4205838198b8fa631b3220723bb07f1015c',
  encrypt:
    'D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg==',
  /** "字节长度为352" / "字节长度为330" */
  encryptedBytes: 352,
  fullStrBytes: 330,
  random: '1205899eaf019bbd',
  msgLen: 292,
  message: [
    '<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>',
    '<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>',
    '<CreateTime>1715943329</CreateTime>',
    '<MsgType><![CDATA[event]]></MsgType>',
    '<Event><![CDATA[debug_demo]]></Event>',
    '<debug_str><![CDATA[hello world]]></debug_str>',
    '</xml>',
  ].join('\n'),
  reply: {
    random: '999951349e8ee746',
    msgLen: 52,
    /** Published without the `<!` of the CDATA section; kept as published. */
    message: '<xml><demo_resp>[CDATA[good luck]]</demo_resp></xml>',
    fullStrBytes: 90,
    encryptedBytes: 96,
    encrypt:
      'hE8R6mGXHkJJjU72KxzKUd1GEkKJaEZq7vRL8XgK3o+00k8JGq6+pZJUIlTSyhsX+bxIBQ72g3GyvDdIZcr6+3HAZbSvPT9t/o11MI7d6WELwqrGd7jMnV0zv3Zc9Nq7',
    timestamp: '1713424427',
    nonce: '415670741',
    msgSignature: '03e0812039325c2712ef5f0f980fd14c70d6e307',
  },
} as const;

/**
 * Official sample code (WXBizMsgCrypt demo, "示例下载" on the pages above):
 * https://wximg.gtimg.com/shake_tv/mpwiki/cryptoDemo.zip
 */
export const SAMPLE_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** Java demo, WXBizMsgCryptTest.testAesEncrypt / testAesEncrypt2 (fixed randomStr). */
export const sampleJavaEncrypt = {
  encodingAESKey: SAMPLE_KEY,
  token: 'pamtest',
  timestamp: '1409304348',
  nonce: 'xxxxxx',
  appId: 'wxb11529c136998cb6',
  random: 'aaaabbbbccccdddd',
  cases: [
    {
      message: '我是中文abcd123',
      encrypt: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
    },
    {
      message:
        '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
      encrypt:
        'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
    },
  ],
} as const;

/**
 * Java demo, WXBizMsgCryptTest.testVerifyUrl: the sample only asserts that
 * verification passes (signature matches, echoStr decrypts for this AppID); it
 * publishes no decrypted echoStr.
 */
export const sampleJavaVerifyUrl = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  appId: 'wx5823bf96d3bd56c7',
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echoStr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
} as const;

/**
 * Python demo, Sample.py (DecryptMsg of a compatibility-mode body). The body
 * carries the message's fields in clear next to Encrypt; those clear fields are
 * the only published statement of what the ciphertext holds.
 */
export const samplePythonDecrypt = {
  encodingAESKey: SAMPLE_KEY,
  token: 'spamtest',
  appId: 'wx2c2769f8efd9abc2',
  timestamp: '1409735669',
  nonce: '1320562132',
  msgSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
  encrypt:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
  clearFields: [
    '<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>',
    '<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>',
    '<CreateTime>1409735668</CreateTime>',
    '<MsgType><![CDATA[text]]></MsgType>',
    '<Content><![CDATA[abcdteT]]></Content>',
    '<MsgId>6054768590064713728</MsgId>',
  ],
} as const;

/** C++ demo, Sample.cpp (DecryptMsg). */
export const sampleCppDecrypt = {
  encodingAESKey: SAMPLE_KEY,
  token: 'spamtest',
  appId: 'wx2c2769f8efd9abc2',
  timestamp: '1410349438',
  nonce: '298025754',
  msgSignature: '003fee52ecc56afb46c00b5c7721be87860ce785',
  encrypt:
    'mfBCs65c67CeJw22u4VT2TD73q5H06+ocrAIxswCaeZ/d/Lw0msSZFHY0teqgSYiI1zR2gD2DKrB3TIrmX/liNSDrGqS8jSI/WPeKB5VPr7Ezr7gomZAyGCwJSgT1TRFWPfONGJMxuj2nk4faTuspAuVIFQ6SHwZuJBZC7mcJp7Cgr9cUhATQWDbOPaE7ukZBTV2YqyzH+UI2AK+J1S47cE79k1RX8t0hcTz/O0hlK8DGXKnvYv88qKQcI7z4iaajqHfRVZKBNyOODabs+It+ZfM3dWTeFcPgDbGtIEnpt/EDtuuA/zMvtkaKdHdswPnVZQ+xdwbYr3ldGvfT8HlEYEgkgKaThxTFobVlwzu2ZkXCjicbP3xdr15Iq48ObgzPpqYuZ3IEoyggZDKClquk0u0orMck4GTF/XyE8yGzc4=',
} as const;
