<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AnnouncementsPage</name>
    <message>
        <source>正在加载通知公告…</source>
        <translation>Loading notices…</translation>
    </message>
    <message>
        <source>{start} 至 {end}</source>
        <translation>{start} to {end}</translation>
    </message>
    <message>
        <source>{start} 起</source>
        <translation>From {start}</translation>
    </message>
    <message>
        <source>长期有效</source>
        <translation>No end date</translation>
    </message>
    <message>
        <source>至 {end}</source>
        <translation>Until {end}</translation>
    </message>
    <message>
        <source>今天没有新的通知公告</source>
        <translation>No new notices today</translation>
    </message>
</context>
<context>
    <name>BoardWidget</name>
    <message>
        <source>叫号信息</source>
        <translation>Queue information</translation>
    </message>
    <message>
        <source>暂时连不上大厅服务器，正在自动重连；屏上是 {time} 时的信息</source>
        <translation>Cannot reach the hall server, reconnecting. Information as of {time}</translation>
    </message>
    <message>
        <source>星期一</source>
        <translation>Monday</translation>
    </message>
    <message>
        <source>星期二</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <source>星期三</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <source>星期四</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <source>星期五</source>
        <translation>Friday</translation>
    </message>
    <message>
        <source>星期六</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <source>星期日</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <source>{year}年{month}月{day}日 {weekday}</source>
        <translation>{weekday} {year}-{month}-{day}</translation>
    </message>
    <message>
        <source>正在叫号</source>
        <translation>Now calling</translation>
    </message>
    <message>
        <source>请留意叫号</source>
        <translation>Please wait for your number</translation>
    </message>
    <message>
        <source>听到您的号码，请到对应窗口办理</source>
        <translation>When your number is called, go to the window shown</translation>
    </message>
    <message>
        <source>重呼</source>
        <translation>Called again</translation>
    </message>
    <message>
        <source>{n}号窗口</source>
        <translation>Window {n}</translation>
    </message>
    <message>
        <source>最近叫号</source>
        <translation>Recently called</translation>
    </message>
    <message>
        <source>暂无</source>
        <translation>None yet</translation>
    </message>
    <message>
        <source>过号</source>
        <translation>Missed</translation>
    </message>
    <message>
        <source>共 {n} 人</source>
        <translation>Total {n}</translation>
    </message>
    <message>
        <source>等候人数</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>{n} 人</source>
        <translation>{n}</translation>
    </message>
    <message>
        <source>暂停 {n}</source>
        <translation>Paused {n}</translation>
    </message>
    <message>
        <source>开放窗口 {open}/{all}</source>
        <translation>Open {open}/{all}</translation>
    </message>
    <message>
        <source>暂无开放窗口</source>
        <translation>No windows open</translation>
    </message>
</context>
<context>
    <name>BroadcastBanner</name>
    <message>
        <source>紧急通知：</source>
        <translation>URGENT: </translation>
    </message>
</context>
<context>
    <name>BusyPage</name>
    <message>
        <source>正在打印排队凭条…</source>
        <translation>Printing your ticket…</translation>
    </message>
    <message>
        <source>请在出票口等候取票</source>
        <translation>Please wait at the ticket slot</translation>
    </message>
    <message>
        <source>正在取号…</source>
        <translation>Getting your number…</translation>
    </message>
    <message>
        <source>请稍候</source>
        <translation>Please wait</translation>
    </message>
</context>
<context>
    <name>CaptureCounts</name>
    <message numerus="yes">
        <source>已拍 %n 页</source>
        <translation>
            <numerusform>%n page captured</numerusform>
            <numerusform>%n pages captured</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n 页</source>
        <translation>
            <numerusform>%n page</numerusform>
            <numerusform>%n pages</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CaptureFlow</name>
    <message>
        <source>本机暂不能拍摄材料</source>
        <translation>This terminal cannot capture documents now</translation>
    </message>
    <message>
        <source>高拍仪暂时不能使用。请取号到窗口，工作人员会为您办理。</source>
        <translation>The document camera is not available. Please take a number for a window; the staff will help you there.</translation>
    </message>
    <message>
        <source>请稍候</source>
        <translation>Please wait</translation>
    </message>
    <message>
        <source>这个事项暂不能自助申报</source>
        <translation>This matter cannot be applied for here</translation>
    </message>
    <message>
        <source>请取号到窗口办理。</source>
        <translation>Please take a number and apply at a window.</translation>
    </message>
    <message>
        <source>必交</source>
        <translation>Required</translation>
    </message>
    <message>
        <source>有则提交</source>
        <translation>If applicable</translation>
    </message>
    <message>
        <source>未拍</source>
        <translation>not captured</translation>
    </message>
    <message>
        <source>重新查看</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>拍摄</source>
        <translation>Capture</translation>
    </message>
    <message>
        <source>还缺：{names}。缺少的材料可以先提交，窗口会一次告知需要补正的全部材料。</source>
        <translation>Missing: {names}. You may submit without them; the window will tell you everything to supplement at once.</translation>
    </message>
    <message>
        <source>必交材料已齐。</source>
        <translation>All required materials are captured.</translation>
    </message>
    <message>
        <source>请把「{name}」第 {n} 页放在高拍仪下</source>
        <translation>Place page {n} of &quot;{name}&quot; under the document camera</translation>
    </message>
    <message>
        <source>放平后不要移动，稍等片刻会自动拍摄。拍完这份材料的所有页后点“这份拍好了”。</source>
        <translation>Lay it flat and keep still: it is captured by itself. When every page of this material is captured, tap &quot;Material done&quot;.</translation>
    </message>
    <message>
        <source>第 {n} 页</source>
        <translation>Page {n}</translation>
    </message>
    <message>
        <source>前移</source>
        <translation>Earlier</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>未提供</source>
        <translation>not provided</translation>
    </message>
    <message>
        <source>正在提交材料…</source>
        <translation>Submitting your materials…</translation>
    </message>
    <message>
        <source>已提交，办件号 {number}</source>
        <translation>Submitted: case {number}</translation>
    </message>
    <message>
        <source>窗口审核后会出具受理通知书或补正材料通知书，可在“进度查询”中刷身份证查看。</source>
        <translation>After a window has checked it you get a notice of acceptance or a list of materials to supplement; follow it under &quot;Check progress&quot; with your ID card.</translation>
    </message>
    <message>
        <source>正在打印回执…请在打印机出纸口等候。</source>
        <translation>Printing your receipt… please wait at the printer&apos;s tray.</translation>
    </message>
    <message>
        <source>自助申报回执</source>
        <translation>Self-service application receipt</translation>
    </message>
    <message>
        <source>请取走回执。窗口审核后会出具受理通知书或补正材料通知书。</source>
        <translation>Please take your receipt. After a window has checked it you get a notice of acceptance or a list of materials to supplement.</translation>
    </message>
    <message>
        <source>本机暂不能打印回执。请用手机扫描下方二维码，保存办件进度页。</source>
        <translation>The receipt cannot be printed here now. Scan the QR code below with your phone to keep the case&apos;s progress page.</translation>
    </message>
    <message>
        <source>取号到窗口办理</source>
        <translation>Take a number for a window</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>核对并签名</source>
        <translation>Check and sign</translation>
    </message>
    <message>
        <source>重拍最后一页</source>
        <translation>Retake the last page</translation>
    </message>
    <message>
        <source>调整边角</source>
        <translation>Adjust corners</translation>
    </message>
    <message>
        <source>一直没有自动拍摄？可以手动拍摄，再拖动四个角。</source>
        <translation>Not captured by itself? Take it yourself, then drag the four corners.</translation>
    </message>
    <message>
        <source>手动拍摄</source>
        <translation>Take it now</translation>
    </message>
    <message>
        <source>这份拍好了</source>
        <translation>Material done</translation>
    </message>
    <message>
        <source>请核对材料，在下方白色区域用手指签名</source>
        <translation>Check the materials, then sign with your finger in the white area below</translation>
    </message>
    <message>
        <source>重新签名</source>
        <translation>Sign again</translation>
    </message>
    <message>
        <source>确认提交</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>CardReminder</name>
    <message>
        <source>请取走您的社保卡</source>
        <translation>Please take your social security card</translation>
    </message>
    <message>
        <source>请取走您的身份证</source>
        <translation>Please take your ID card</translation>
    </message>
</context>
<context>
    <name>CaseStatus</name>
    <message>
        <source>办件号 {number}&#x3000;{matter}</source>
        <translation>Case {number} · {matter}</translation>
    </message>
    <message>
        <source>当前环节：{stage}</source>
        <translation>Stage: {stage}</translation>
    </message>
    <message>
        <source>● 绿灯：按期办理中</source>
        <translation>● Green: on track</translation>
    </message>
    <message>
        <source>▲ 黄灯：临近办结期限</source>
        <translation>▲ Yellow: close to the due date</translation>
    </message>
    <message>
        <source>■ 红灯：已超过承诺期限</source>
        <translation>■ Red: past the promised date</translation>
    </message>
    <message>
        <source>承诺办结日期：{due}（暂定，如遇节假日调整顺延）</source>
        <translation>Promised by: {due} (provisional: may move with holiday changes)</translation>
    </message>
    <message>
        <source>承诺办结日期：{due}</source>
        <translation>Promised by: {due}</translation>
    </message>
    <message>
        <source>还缺材料：{names}</source>
        <translation>Still missing: {names}</translation>
    </message>
    <message>
        <source>（请于 {day} 前补齐）</source>
        <translation> (please bring by {day})</translation>
    </message>
    <message>
        <source>结果已邮寄，运单号 {tracking}</source>
        <translation>The result was posted, tracking number {tracking}</translation>
    </message>
    <message>
        <source>结果已于 {day} 领取</source>
        <translation>The result was picked up on {day}</translation>
    </message>
    <message>
        <source>请到 {address} 领取结果，时间：{hours}。请带身份证或本通知书</source>
        <translation>Pick up the result at {address}, hours: {hours}. Bring your ID card or the notice</translation>
    </message>
    <message>
        <source>本大厅出件窗口</source>
        <translation>this hall&apos;s result window</translation>
    </message>
    <message>
        <source>不予受理：{reason}</source>
        <translation>Not accepted: {reason}</translation>
    </message>
    <message>
        <source>；请到 {where} 申请</source>
        <translation>; please apply at {where}</translation>
    </message>
    <message>
        <source>预审：等待窗口核对材料</source>
        <translation>Pre-check: waiting for a window to check the materials</translation>
    </message>
    <message>
        <source>已受理</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <source>补正：请补齐材料</source>
        <translation>Materials needed: please bring what is missing</translation>
    </message>
    <message>
        <source>不予受理</source>
        <translation>Not accepted</translation>
    </message>
    <message>
        <source>办理中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <source>已办结，可以领取结果</source>
        <translation>Done: the result is ready to pick up</translation>
    </message>
    <message>
        <source>已办结（未获批准），可以领取决定书</source>
        <translation>Done (not approved): the decision is ready to pick up</translation>
    </message>
    <message>
        <source>已出件</source>
        <translation>Result handed over</translation>
    </message>
    <message>
        <source>已办完</source>
        <translation>Closed</translation>
    </message>
</context>
<context>
    <name>CheckInPage</name>
    <message>
        <source>打开预约短信或小程序里的签到二维码，对准扫码口</source>
        <translation>Open the check-in QR code in your appointment text message or mini program and hold it to the scanner</translation>
    </message>
    <message>
        <source>打开预约短信或小程序里的签到二维码对准扫码口，或把身份证放在读卡区</source>
        <translation>Hold the check-in QR code from your appointment text message or mini program to the scanner, or place your ID card on the card reader</translation>
    </message>
    <message>
        <source>本机没有连接扫码器和读卡器，请输入预约核验码、手机号或身份证号签到。</source>
        <translation>This terminal has no scanner or card reader: type your check-in code, mobile number or ID number instead.</translation>
    </message>
    <message>
        <source>请出示预约签到二维码</source>
        <translation>Please show your check-in QR code</translation>
    </message>
    <message>
        <source>正在签到…</source>
        <translation>Checking in…</translation>
    </message>
    <message>
        <source>这是排队票的二维码</source>
        <translation>This is a queue ticket QR code</translation>
    </message>
    <message>
        <source>输入预约核验码</source>
        <translation>Type check-in code</translation>
    </message>
    <message>
        <source>输入手机号</source>
        <translation>Type mobile number</translation>
    </message>
    <message>
        <source>输入身份证号</source>
        <translation>Type ID number</translation>
    </message>
    <message>
        <source>这是办件通知书的二维码</source>
        <translation>This is a case notice QR code</translation>
    </message>
    <message>
        <source>签到请扫描预约短信或小程序里的二维码。查询办件进度请返回首页，选择“进度查询”。</source>
        <translation>To check in, scan the QR code in your appointment text message or mini program. To see your case, go back to the home screen and choose &quot;Check progress&quot;.</translation>
    </message>
    <message>
        <source>签到请扫描预约短信或小程序里的二维码。查询排队进度请返回首页，选择“进度查询”。</source>
        <translation>To check in, scan the QR code in your appointment text message or mini program. To see your queue status, go back to the home screen and choose &quot;Check progress&quot;.</translation>
    </message>
    <message>
        <source>没有读到有效的身份证号码</source>
        <translation>No valid ID number was read</translation>
    </message>
    <message>
        <source>请把居民身份证平放在读卡区，或扫描预约二维码。</source>
        <translation>Place your resident ID card flat on the card reader, or scan your appointment QR code.</translation>
    </message>
    <message>
        <source>二维码无法识别。请输入预约短信或小程序里的核验码。</source>
        <translation>The QR code could not be read. Type the check-in code from your appointment SMS or mini-program.</translation>
    </message>
    <message>
        <source>今天没有找到您的预约</source>
        <translation>No appointment found for today</translation>
    </message>
    <message>
        <source>请核对预约的日期和大厅。没有预约也可以返回首页取号办理。</source>
        <translation>Please check the date and hall of your appointment. Without an appointment, you can go back to the home screen and take a ticket.</translation>
    </message>
    <message>
        <source>您已签到过，这是您的排队号</source>
        <translation>You have already checked in. This is your number</translation>
    </message>
    <message>
        <source>签到成功</source>
        <translation>Checked in</translation>
    </message>
    <message>
        <source>预约事项：{what}&#x3000;预约时段：{slot}</source>
        <translation>Appointment: {what} · Time: {slot}</translation>
    </message>
    <message>
        <source>预约时段：{slot}</source>
        <translation>Time: {slot}</translation>
    </message>
    <message>
        <source>今天没有这个手机号的预约</source>
        <translation>No appointment today for this mobile number</translation>
    </message>
    <message>
        <source>请核对手机号，或输入预约核验码、身份证号签到。没有预约也可以返回首页取号办理。</source>
        <translation>Please check the number, or check in with your check-in code or ID number. Without an appointment, you can take a ticket on the home screen.</translation>
    </message>
    <message>
        <source>手机号是 1 开头的 11 位数字，请重新输入。</source>
        <translation>A mobile number is 11 digits starting with 1. Please type it again.</translation>
    </message>
    <message>
        <source>手机号查询次数过多</source>
        <translation>Too many mobile numbers tried</translation>
    </message>
    <message>
        <source>请 {minutes} 分钟后再试，或输入预约核验码、用身份证签到。</source>
        <translation>Please try again in {minutes} min, or check in with your check-in code or ID card.</translation>
    </message>
    <message>
        <source>重新输入</source>
        <translation>Type again</translation>
    </message>
    <message>
        <source>今天有 {count} 个预约，这次签到的是 {slot} 的预约。</source>
        <translation>{count} appointments today: this check-in is for the one at {slot}.</translation>
    </message>
    <message>
        <source>手机号 {phone}</source>
        <translation>Mobile {phone}</translation>
    </message>
    <message>
        <source>正在打印排队凭条…</source>
        <translation>Printing your ticket…</translation>
    </message>
    <message>
        <source>请在出票口等候取票</source>
        <translation>Please wait at the ticket slot</translation>
    </message>
    <message>
        <source>请取走您的排队凭条，留意叫号屏幕和语音提示。</source>
        <translation>Please take your ticket, watch the screen and listen for your number.</translation>
    </message>
    <message>
        <source>手机扫码查看排队进度</source>
        <translation>Scan to follow your queue on your phone</translation>
    </message>
    <message>
        <source>请用手机拍下本页或扫描二维码，凭号码等候叫号。</source>
        <translation>Take a photo of this screen or scan the QR code, then wait for your number to be called.</translation>
    </message>
    <message>
        <source>离线签到：前方人数与等候时间为估计，大厅系统恢复后自动登记。</source>
        <translation>Checked in while the hall system is offline: the people ahead and the wait are estimates. Your check-in is registered automatically when the system is back.</translation>
    </message>
    <message>
        <source>本机暂时无法确认您的预约</source>
        <translation>This kiosk cannot confirm your appointment right now</translation>
    </message>
    <message>
        <source>大厅系统暂时连不上，本机也没有查到这条预约。请到取号机取号，或到咨询服务台请工作人员帮助。</source>
        <translation>The hall system cannot be reached, and this kiosk has no record of this appointment. Please take a number at the ticket machine, or ask the staff at the information desk.</translation>
    </message>
    <message>
        <source>暂时无法用身份证签到</source>
        <translation>Check-in with an ID card is not available right now</translation>
    </message>
    <message>
        <source>大厅系统暂时连不上。请扫描预约短信里的二维码或输入核验码签到，也可以到取号机取号。</source>
        <translation>The hall system cannot be reached. Please scan the QR code in your appointment SMS or type its check-in code, or take a number at the ticket machine.</translation>
    </message>
    <message>
        <source>您已签到过</source>
        <translation>You have already checked in</translation>
    </message>
    <message>
        <source>您的排队号是 {number}，请留意叫号屏幕和语音提示。</source>
        <translation>Your number is {number}. Please watch the calling screen and listen for your number.</translation>
    </message>
    <message>
        <source>本机暂时无法签到发号</source>
        <translation>This kiosk cannot issue a check-in number right now</translation>
    </message>
    <message>
        <source>请到取号机取号，或到咨询服务台请工作人员帮助。</source>
        <translation>Please take a number at the ticket machine, or ask the staff at the information desk.</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>重新扫描</source>
        <translation>Scan again</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to home</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>CopyPage</name>
    <message>
        <source>本机暂不能复印</source>
        <translation>Copying is not available here right now</translation>
    </message>
    <message>
        <source>高拍仪暂时不能使用。请取号到窗口，工作人员会为您复印。</source>
        <translation>The document camera cannot be used at the moment. Please take a number for the window; the staff will make the copy for you.</translation>
    </message>
    <message>
        <source>本机暂不能打印</source>
        <translation>Printing is not available here right now</translation>
    </message>
    <message>
        <source>打印机暂时不能使用。请取号到窗口，工作人员会为您复印。</source>
        <translation>The printer cannot be used at the moment. Please take a number for the window; the staff will make the copy for you.</translation>
    </message>
    <message>
        <source>请把身份证人像面朝上放在高拍仪下</source>
        <translation>Place your ID card under the camera, photo side up</translation>
    </message>
    <message>
        <source>放平后不要移动，稍等片刻会自动拍摄。</source>
        <translation>Lay it flat and keep it still; the picture is taken by itself in a moment.</translation>
    </message>
    <message>
        <source>请翻过来，把国徽面朝上放好</source>
        <translation>Now turn it over, national emblem side up</translation>
    </message>
    <message>
        <source>请把第 {n} 页放在高拍仪下</source>
        <translation>Place page {n} under the camera</translation>
    </message>
    <message>
        <source>放平后不要移动，稍等片刻会自动拍摄。拍完所有页后点“拍好了”。</source>
        <translation>Lay it flat and keep it still; the picture is taken by itself in a moment. When all pages are taken, tap &quot;All pages taken&quot;.</translation>
    </message>
    <message numerus="yes">
        <source>请核对复印效果，共 %n 页</source>
        <translation>
            <numerusform>Please check the copy: %n page</numerusform>
            <numerusform>Please check the copy: %n pages</numerusform>
        </translation>
    </message>
    <message>
        <source>正在打印…</source>
        <translation>Printing…</translation>
    </message>
    <message>
        <source>打印需要几秒钟，请在打印机出纸口等候。</source>
        <translation>This takes a few seconds. Please wait at the printer&apos;s paper slot.</translation>
    </message>
    <message>
        <source>复印件</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>复印件已打印</source>
        <translation>Your copy has been printed</translation>
    </message>
    <message>
        <source>请在打印机出纸口取走复印件，并带走您的证件和材料。</source>
        <translation>Please take your copy from the printer&apos;s paper slot, and take your ID card and documents with you.</translation>
    </message>
    <message>
        <source>复印件没有打印出来</source>
        <translation>The copy was not printed</translation>
    </message>
    <message>
        <source>打印机暂时不能打印。请取号到窗口，工作人员会为您复印。</source>
        <translation>The printer cannot print at the moment. Please take a number for the window; the staff will make the copy for you.</translation>
    </message>
    <message>
        <source>免费复印，复印后不保留任何图像</source>
        <translation>Free copies. No image is kept afterwards</translation>
    </message>
    <message>
        <source>复印身份证</source>
        <translation>Copy an ID card</translation>
    </message>
    <message>
        <source>正反面印在同一张 A4 纸上</source>
        <translation>Both sides on one A4 sheet</translation>
    </message>
    <message>
        <source>复印文件</source>
        <translation>Copy a document</translation>
    </message>
    <message>
        <source>每页印一张 A4 纸</source>
        <translation>Each page on an A4 sheet</translation>
    </message>
    <message>
        <source>拍好了</source>
        <translation>All pages taken</translation>
    </message>
    <message>
        <source>手动拍摄</source>
        <translation>Take it now</translation>
    </message>
    <message>
        <source>重拍</source>
        <translation>Retake</translation>
    </message>
    <message>
        <source>调整边角</source>
        <translation>Adjust corners</translation>
    </message>
    <message>
        <source>打印</source>
        <translation>Print</translation>
    </message>
    <message>
        <source>取号到窗口办理</source>
        <translation>Take a number for the window</translation>
    </message>
</context>
<context>
    <name>CornerEditor</name>
    <message>
        <source>拖动四个圆点，对准材料的四个角</source>
        <translation>Drag the four dots onto the page&apos;s four corners</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>DispenserView</name>
    <message>
        <source>（缺纸）</source>
        <translation> (out of paper)</translation>
    </message>
    <message>
        <source>（纸仓盖未关好）</source>
        <translation> (paper cover is open)</translation>
    </message>
</context>
<context>
    <name>DisplayView</name>
    <message>
        <source>请留意屏幕和语音叫号；过号请到咨询服务台。办事指南可在自助查询机查看，或扫描号票上的二维码。</source>
        <translation>Please watch the screen and listen for your number. If you missed your turn, go to the information desk. Service guides are on the self-service kiosks, or scan the QR code on your ticket.</translation>
    </message>
    <message>
        <source>公告</source>
        <translation>Notice</translation>
    </message>
</context>
<context>
    <name>FlowPage</name>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>首页</source>
        <translation>Home</translation>
    </message>
    <message>
        <source>暂时连不上大厅服务器</source>
        <translation>Cannot reach the hall server</translation>
    </message>
    <message>
        <source>请稍后再试，或到咨询服务台请工作人员帮助。</source>
        <translation>Please try again later, or ask the staff at the information desk.</translation>
    </message>
    <message>
        <source>还没到签到时间</source>
        <translation>Check-in is not open yet</translation>
    </message>
    <message>
        <source>您的预约时段是 {start}–{end}，{opens} 起可以签到，请稍后再来。</source>
        <translation>Your appointment is {start}–{end}. Check-in opens at {opens}; please come back then.</translation>
    </message>
    <message>
        <source>预约时段已过</source>
        <translation>Your appointment time has passed</translation>
    </message>
    <message>
        <source>签到已于 {until} 截止。请重新预约，或取普通号办理。</source>
        <translation>Check-in closed at {until}. Please book again, or take a regular ticket.</translation>
    </message>
    <message>
        <source>二维码无法识别</source>
        <translation>QR code not recognised</translation>
    </message>
    <message>
        <source>二维码可能损坏或没有扫完整。请把二维码放平，对准扫码口重新扫描。</source>
        <translation>The QR code may be damaged or was not fully scanned. Hold it flat to the scanner and scan again.</translation>
    </message>
    <message>
        <source>没有读到有效的身份证号码</source>
        <translation>No valid ID number was read</translation>
    </message>
    <message>
        <source>请把身份证平放在读卡区，稍等片刻再拿开。</source>
        <translation>Place your ID card flat on the card reader and wait a moment before removing it.</translation>
    </message>
    <message>
        <source>该预约的事项不在本厅排队办理</source>
        <translation>This appointment is not handled in this hall</translation>
    </message>
    <message>
        <source>请到咨询服务台，工作人员会为您指引。</source>
        <translation>Please go to the information desk; the staff will show you the way.</translation>
    </message>
    <message>
        <source>没有找到</source>
        <translation>Not found</translation>
    </message>
    <message>
        <source>请核对后再试，或到咨询服务台请工作人员帮助。</source>
        <translation>Please check and try again, or ask the staff at the information desk.</translation>
    </message>
    <message>
        <source>暂时无法办理</source>
        <translation>Not available right now</translation>
    </message>
    <message>
        <source>请到咨询服务台请工作人员帮助。</source>
        <translation>Please ask the staff at the information desk.</translation>
    </message>
</context>
<context>
    <name>GuideDetail</name>
    <message>
        <source>注意事项</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>取「{queue}」号，到窗口办理</source>
        <translation>Take a {queue} ticket and go to the window</translation>
    </message>
    <message>
        <source>办理步骤</source>
        <translation>Steps</translation>
    </message>
    <message>
        <source>谁可以办</source>
        <translation>Who can apply</translation>
    </message>
    <message>
        <source>办理依据</source>
        <translation>Legal basis</translation>
    </message>
    <message>
        <source>请到窗口咨询</source>
        <translation>Ask at the window</translation>
    </message>
    <message>
        <source>当场办结</source>
        <translation>Done on the spot</translation>
    </message>
    <message>
        <source>网上办，不用跑</source>
        <translation>Online: no trip needed</translation>
    </message>
    <message>
        <source>不用来大厅</source>
        <translation>No trip to the hall</translation>
    </message>
    <message>
        <source>网上可办：{how}</source>
        <translation>Online: {how}</translation>
    </message>
    <message>
        <source>另有 {n} 样视情况需要</source>
        <translation>plus {n} in some cases</translation>
    </message>
    <message>
        <source>要多久</source>
        <translation>How long</translation>
    </message>
    <message>
        <source>花多少钱</source>
        <translation>How much</translation>
    </message>
    <message>
        <source>不收费</source>
        <translation>Free</translation>
    </message>
    <message>
        <source>要跑几次</source>
        <translation>How many trips</translation>
    </message>
    <message>
        <source>要带什么</source>
        <translation>What to bring</translation>
    </message>
    <message numerus="yes">
        <source>%n 个工作日内办结</source>
        <translation>
            <numerusform>Done within %n working day</numerusform>
            <numerusform>Done within %n working days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>来大厅办理跑 %n 次</source>
        <translation>
            <numerusform>In the hall: %n trip</numerusform>
            <numerusform>In the hall: %n trips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>跑 %n 次</source>
        <translation>
            <numerusform>%n trip to the hall</numerusform>
            <numerusform>%n trips to the hall</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n 样材料</source>
        <translation>
            <numerusform>%n document</numerusform>
            <numerusform>%n documents</numerusform>
        </translation>
    </message>
    <message>
        <source>电子版</source>
        <translation>Electronic copy</translation>
    </message>
    <message>
        <source>{forms}各 {n} 份</source>
        <translation>{forms}: {n} each</translation>
    </message>
    <message>
        <source>{form} {n} 份</source>
        <translation>{form} × {n}</translation>
    </message>
    <message>
        <source>要带的材料</source>
        <translation>What to bring</translation>
    </message>
    <message>
        <source>视情况需要</source>
        <translation>Needed in some cases</translation>
    </message>
    <message>
        <source>（可先办理，之后补交）</source>
        <translation> (may be handed in later)</translation>
    </message>
    <message>
        <source>本机打印不了告知单</source>
        <translation>This machine cannot print the notice</translation>
    </message>
    <message>
        <source>打印机暂时不能使用。请用手机扫描下方二维码，打开同一份告知单，材料清单都在里面。</source>
        <translation>The printer cannot be used right now. Scan the QR code below with your phone to open the same notice, with the full list of documents.</translation>
    </message>
    <message>
        <source>正在准备告知单…</source>
        <translation>Preparing the notice…</translation>
    </message>
    <message>
        <source>请稍候，马上就好。</source>
        <translation>Please wait, almost ready.</translation>
    </message>
    <message>
        <source>正在打印告知单…</source>
        <translation>Printing the notice…</translation>
    </message>
    <message>
        <source>打印需要几秒钟，请在打印机出纸口等候。</source>
        <translation>This takes a few seconds. Please wait at the printer&apos;s paper slot.</translation>
    </message>
    <message>
        <source>一次性告知单 {name}</source>
        <translation>One-time notice {name}</translation>
    </message>
    <message>
        <source>告知单已打印</source>
        <translation>Notice printed</translation>
    </message>
    <message>
        <source>请在打印机出纸口取走您的一次性告知单。</source>
        <translation>Please take your one-time notice from the printer&apos;s paper slot.</translation>
    </message>
    <message>
        <source>告知单没有打印出来</source>
        <translation>The notice was not printed</translation>
    </message>
    <message>
        <source>打印失败了。您可以重试，或用手机扫描下方二维码，打开同一份告知单。</source>
        <translation>Printing failed. Try again, or scan the QR code below with your phone to open the same notice.</translation>
    </message>
    <message>
        <source>请到咨询服务台领取纸质告知单，或在政务服务网搜索事项编码 {code}。</source>
        <translation>Get a printed notice at the information desk, or search for service code {code} on the government services website.</translation>
    </message>
    <message>
        <source>打印一次性告知单</source>
        <translation>Print one-time notice</translation>
    </message>
    <message>
        <source>告知单列明办理所需的全部材料，备齐即可办理</source>
        <translation>The notice lists all the materials you need; bring them all and you can apply</translation>
    </message>
    <message>
        <source>重新打印</source>
        <translation>Print again</translation>
    </message>
    <message>
        <source>返回指南</source>
        <translation>Back to guide</translation>
    </message>
</context>
<context>
    <name>GuidesPage</name>
    <message>
        <source>暂时无法获取办事指南</source>
        <translation>Service guides are not available right now</translation>
    </message>
    <message>
        <source>暂时连不上大厅服务器，请稍后再试，或到咨询服务台询问。</source>
        <translation>Cannot reach the hall server. Please try again later, or ask at the information desk.</translation>
    </message>
    <message>
        <source>正在加载办事指南…</source>
        <translation>Loading service guides…</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>即办</source>
        <translation>On the spot</translation>
    </message>
    <message>
        <source>没有找到，请换个说法或按部门查找</source>
        <translation>Nothing found. Try other letters, or browse by department</translation>
    </message>
    <message>
        <source>搜索</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>拼音或英文</source>
        <translation>English or pinyin</translation>
    </message>
    <message>
        <source>全拼、首字母都可以：“不动产”输入 budongchan 或 BDC；也可点选键盘上方的字</source>
        <translation>Type words of the English name (such as passport), or pinyin. Tap a character above the keys to pick it.</translation>
    </message>
    <message>
        <source>本机打印不了告知单</source>
        <translation>This machine cannot print the notice</translation>
    </message>
    <message>
        <source>打印机暂时不能使用。请用手机扫描下方二维码，打开同一份告知单，材料清单都在里面。</source>
        <translation>The printer cannot be used right now. Scan the QR code below with your phone to open the same notice, with the full list of documents.</translation>
    </message>
    <message>
        <source>暂时连不上大厅服务器，显示的是 {when} 保存的办事指南</source>
        <translation>Cannot reach the hall server. Showing guides saved at {when}</translation>
    </message>
    <message numerus="yes">
        <source>%n 项事项</source>
        <translation>
            <numerusform>%n service</numerusform>
            <numerusform>%n services</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n 个工作日</source>
        <translation>
            <numerusform>%n working day</numerusform>
            <numerusform>%n working days</numerusform>
        </translation>
    </message>
    <message>
        <source>按部门</source>
        <translation>By department</translation>
    </message>
    <message>
        <source>按事项类型</source>
        <translation>By type</translation>
    </message>
    <message>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>正在打印告知单…</source>
        <translation>Printing the notice…</translation>
    </message>
    <message>
        <source>打印需要几秒钟，请在打印机出纸口等候。</source>
        <translation>This takes a few seconds. Please wait at the printer&apos;s paper slot.</translation>
    </message>
    <message>
        <source>告知单已打印</source>
        <translation>Notice printed</translation>
    </message>
    <message>
        <source>请在打印机出纸口取走您的一次性告知单。</source>
        <translation>Please take your one-time notice from the printer&apos;s paper slot.</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>请选择要办理的业务</source>
        <translation>Please choose a service</translation>
    </message>
    <message>
        <source>点击业务即可取号</source>
        <translation>Tap a service to take a ticket</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>不知道选哪个？按事项名称搜索</source>
        <translation>Not sure? Search by service name</translation>
    </message>
    <message>
        <source>正在连接大厅服务器，请稍候…</source>
        <translation>Connecting to the hall server, please wait…</translation>
    </message>
    <message>
        <source>暂时无法取号，请到咨询台</source>
        <translation>Tickets not available. Please go to the information desk</translation>
    </message>
    <message>
        <source>已选残疾人优先（窗口核验残疾人证）</source>
        <translation>Priority for disabled people chosen (show your disability certificate at the window)</translation>
    </message>
    <message>
        <source>残疾人优先取号</source>
        <translation>Priority for disabled people</translation>
    </message>
    <message>
        <source>当前无人等候</source>
        <translation>No one waiting</translation>
    </message>
    <message>
        <source>等候 {n} 人</source>
        <translation>{n} waiting</translation>
    </message>
    <message>
        <source>等候 {n} 人 · 约 {minutes} 分钟</source>
        <translation>{n} waiting · about {minutes} min</translation>
    </message>
</context>
<context>
    <name>IdCardPage</name>
    <message>
        <source>如需老年人优先，请刷身份证</source>
        <translation>Seniors: scan your ID card for priority</translation>
    </message>
    <message>
        <source>请把身份证平放在阅读器的感应区上，读取后会有提示。年满 {age} 周岁可优先叫号。</source>
        <translation>Place your ID card flat on the reader; you will be told when it has been read. People aged {age} or over are called first.</translation>
    </message>
    <message>
        <source>请把身份证平放在阅读器的感应区上，读取后会有提示。</source>
        <translation>Place your ID card flat on the reader; you will be told when it has been read.</translation>
    </message>
    <message>
        <source>身份证信息只用于本次取号，不会保存在本机。</source>
        <translation>Your ID details are used only for this ticket and are not stored on this machine.</translation>
    </message>
    <message>
        <source>不刷卡，返回选择业务</source>
        <translation>Skip, back to services</translation>
    </message>
</context>
<context>
    <name>IdentityStrip</name>
    <message>
        <source>如需老年人优先，请刷身份证</source>
        <translation>Seniors: scan your ID card for priority</translation>
    </message>
    <message>
        <source>年满 {age} 周岁的老年人刷卡后优先叫号</source>
        <translation>People aged {age} or over are called first after scanning their ID</translation>
    </message>
    <message>
        <source>刷卡后可查看预约和办理进度</source>
        <translation>Scan your ID card to see appointments and progress</translation>
    </message>
    <message>
        <source>刷卡位置</source>
        <translation>Show me where</translation>
    </message>
    <message>
        <source>已读取身份证：{name}</source>
        <translation>ID card read: {name}</translation>
    </message>
    <message>
        <source>年满 {age} 周岁，本次取号优先叫号</source>
        <translation>Aged {age} or over: you will be called first</translation>
    </message>
    <message>
        <source>本次按正常顺序叫号；身份证信息只用于本次取号</source>
        <translation>You will be called in normal order; your ID is used only for this ticket</translation>
    </message>
    <message>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>未能读取身份证</source>
        <translation>Could not read the ID card</translation>
    </message>
    <message>
        <source>请拿起身份证，再重新放到阅读区</source>
        <translation>Lift the ID card and place it on the reader again</translation>
    </message>
</context>
<context>
    <name>IdleScreen</name>
    <message>
        <source>{number}号窗口</source>
        <translation>Window {number}</translation>
    </message>
    <message>
        <source>服务窗口</source>
        <translation>Service window</translation>
    </message>
    <message>
        <source>本窗口暂停服务</source>
        <translation>This window is closed</translation>
    </message>
    <message>
        <source>本窗口暂停叫号，请稍候</source>
        <translation>Calling is paused at this window, please wait</translation>
    </message>
    <message>
        <source>工作人员：{name}</source>
        <translation>Staff: {name}</translation>
    </message>
    <message>
        <source>工号：{number}</source>
        <translation>Staff No. {number}</translation>
    </message>
    <message>
        <source>欢迎评价我们的服务</source>
        <translation>Please rate our service</translation>
    </message>
    <message>
        <source>业务办结后，请在这里为本次服务评价</source>
        <translation>When your business is done, rate the service here</translation>
    </message>
    <message>
        <source>有 {n} 条评价已保存在本机，联网后自动提交</source>
        <translation>Ratings saved on this device: {n}. They will be sent when back online</translation>
    </message>
</context>
<context>
    <name>MessagePage</name>
    <message>
        <source>暂时无法取号，请到咨询台</source>
        <translation>Tickets not available. Please go to the information desk</translation>
    </message>
    <message>
        <source>大厅服务器未能出号。</source>
        <translation>The hall server could not issue a number.</translation>
    </message>
    <message>
        <source>暂时连不上大厅服务器，工作人员会尽快处理。您也可以稍后点「重试」。</source>
        <translation>Cannot reach the hall server; the staff will fix this soon. You can also tap &quot;Try again&quot; later.</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to home</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Try again</translation>
    </message>
</context>
<context>
    <name>NextSteps</name>
    <message>
        <source>请在等候区就座，叫号屏幕和语音会报出您的号码</source>
        <translation>Please take a seat in the waiting area; the screens and the voice will call your number</translation>
    </message>
    <message>
        <source>叫到您的号后，请带好身份证和材料到窗口办理</source>
        <translation>When your number is called, go to the window with your ID card and documents</translation>
    </message>
    <message>
        <source>错过叫号，请到咨询服务台，工作人员会为您安排</source>
        <translation>If you miss your call, go to the information desk; the staff will help you</translation>
    </message>
    <message>
        <source>用手机扫描排队号的二维码，可以随时查看还要等多久</source>
        <translation>Scan the ticket&apos;s QR code with your phone to see how long is left at any time</translation>
    </message>
    <message>
        <source>现在请到 {window}，带好身份证和材料</source>
        <translation>Please go to {window} now, with your ID card and documents</translation>
    </message>
    <message>
        <source>现在请到窗口，带好身份证和材料</source>
        <translation>Please go to the window now, with your ID card and documents</translation>
    </message>
    <message>
        <source>找不到窗口，请看大厅的指引或问咨询服务台</source>
        <translation>Cannot find the window? Follow the hall&apos;s signs or ask at the information desk</translation>
    </message>
    <message>
        <source>请对本次服务作出评价：窗口的评价器，或本机首页的「服务评价」</source>
        <translation>Please rate the service: on the window&apos;s rating pad, or with &quot;Rate our service&quot; on this terminal&apos;s home screen</translation>
    </message>
    <message>
        <source>已受理的办件，可凭办件通知书在本机「进度查询」查看进度</source>
        <translation>For an accepted case, check its progress with the notice under &quot;Check progress&quot; on this terminal</translation>
    </message>
    <message>
        <source>请到咨询服务台，说明您的排队号</source>
        <translation>Please go to the information desk and give your ticket number</translation>
    </message>
    <message>
        <source>如需办理业务，请返回首页重新取号</source>
        <translation>To be served, go back to the home screen and take a new ticket</translation>
    </message>
    <message>
        <source>按上面的清单，把缺少的材料一次补齐</source>
        <translation>Bring all the missing documents listed above, at one time</translation>
    </message>
    <message>
        <source>可以在本机首页选「补正材料」拍照提交，也可以送到受理窗口</source>
        <translation>Photograph and submit them here with &quot;Supplement documents&quot; on the home screen, or hand them in at the window</translation>
    </message>
    <message>
        <source>补齐后从材料收齐之日重新计算办理时限</source>
        <translation>The time limit counts again from the day the documents are complete</translation>
    </message>
    <message>
        <source>不必再到大厅：办理进度可凭通知书上的二维码随时查询</source>
        <translation>No need to come back to check: scan the QR code on your notice to follow the case</translation>
    </message>
    <message>
        <source>办结后请凭身份证或办件通知书领取结果</source>
        <translation>When it is done, collect the result with your ID card or the notice</translation>
    </message>
    <message>
        <source>请带上身份证或办件通知书</source>
        <translation>Bring your ID card or the case notice</translation>
    </message>
    <message>
        <source>到上面写明的地点和时间领取结果</source>
        <translation>Collect the result at the place and time given above</translation>
    </message>
    <message>
        <source>领取后请对本次办理作出评价</source>
        <translation>After collecting it, please rate the service</translation>
    </message>
    <message>
        <source>请按不予受理通知书上的说明办理</source>
        <translation>Please follow the instructions on the notice of non-acceptance</translation>
    </message>
    <message>
        <source>有疑问请到咨询服务台，或拨打通知书上的咨询电话</source>
        <translation>With questions, ask at the information desk or call the number on the notice</translation>
    </message>
    <message>
        <source>接下来</source>
        <translation>What to do next</translation>
    </message>
</context>
<context>
    <name>OffHoursPage</name>
    <message>
        <source>自助服务区 24 小时开放，现在可以：</source>
        <translation>The self-service area is open 24 hours. You can still use:</translation>
    </message>
    <message>
        <source>返回首页</source>
        <translation>Back to home</translation>
    </message>
</context>
<context>
    <name>Overlay</name>
    <message>
        <source>还在办理吗？</source>
        <translation>Still there?</translation>
    </message>
    <message>
        <source>{seconds} 秒后返回首页，已填写和读取的信息将被清除。</source>
        <translation>Back to the start in {seconds} s; everything entered or read will be cleared.</translation>
    </message>
    <message>
        <source>继续办理</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>管理员退出</source>
        <translation>Admin exit</translation>
    </message>
    <message>
        <source>请输入管理密码</source>
        <translation>Enter the admin PIN</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>ProgressPage</name>
    <message>
        <source>正在查询…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>这不是排队票的二维码</source>
        <translation>This is not a queue ticket QR code</translation>
    </message>
    <message>
        <source>请扫描排队票上的二维码。预约签到请返回首页，选择“预约签到”。</source>
        <translation>Please scan the QR code on your queue ticket. To check in for an appointment, go back to the home screen and choose &quot;Appointment check-in&quot;.</translation>
    </message>
    <message>
        <source>身份证 {who} 今天的排队、预约和办件</source>
        <translation>ID card {who}: today&apos;s tickets, appointments and your cases</translation>
    </message>
    <message>
        <source>把排队票或办件通知书上的二维码对准扫码口</source>
        <translation>Hold the QR code on your ticket or case notice to the scanner</translation>
    </message>
    <message>
        <source>把排队票或办件通知书上的二维码对准扫码口，或把身份证放在读卡区查看排队和办件</source>
        <translation>Hold the QR code on your ticket or case notice to the scanner, or place your ID card on the reader to see your tickets and cases</translation>
    </message>
    <message>
        <source>请扫描排队票或通知书上的二维码</source>
        <translation>Please scan the QR code on your ticket or notice</translation>
    </message>
    <message>
        <source>请核对办件号。只查得到以刚才所刷身份证申请的办件；代办的请刷申请人的身份证。</source>
        <translation>Please check the case number. Only cases filed under the ID card just read can be shown; if you applied for someone else, scan the applicant&apos;s ID card.</translation>
    </message>
    <message>
        <source>这张卡读不出身份证号码</source>
        <translation>No ID number could be read from this card</translation>
    </message>
    <message>
        <source>请刷居民身份证，或扫描排队票上的二维码。</source>
        <translation>Please scan your resident ID card, or the QR code on your ticket.</translation>
    </message>
    <message>
        <source>您的办件进度</source>
        <translation>Your case</translation>
    </message>
    <message>
        <source>您的排队进度</source>
        <translation>Your queue status</translation>
    </message>
    <message>
        <source>大厅系统暂时连不上。以下是本机 {time} 查到的信息，现在可能已有变化。</source>
        <translation>The hall&apos;s system cannot be reached just now. This is what this terminal found at {time}; it may have changed since.</translation>
    </message>
    <message>
        <source>预约 {matter}：{start}–{end}，尚未签到</source>
        <translation>Appointment {matter}: {start}–{end}, not checked in yet</translation>
    </message>
    <message>
        <source>今天没有您的排队记录</source>
        <translation>You have no tickets today</translation>
    </message>
    <message>
        <source>如需办理业务，请返回首页取号或预约签到。</source>
        <translation>To get served, go back to the home screen to take a ticket or check in for an appointment.</translation>
    </message>
    <message>
        <source>输入办件号查询</source>
        <translation>Search by case number</translation>
    </message>
    <message>
        <source>没有找到这个办件</source>
        <translation>Case not found</translation>
    </message>
    <message>
        <source>本机没有连接扫码器，请输入排队号或办件号查询。</source>
        <translation>This terminal has no scanner: type your ticket number or case number instead.</translation>
    </message>
    <message>
        <source>输入排队号</source>
        <translation>Type ticket number</translation>
    </message>
    <message>
        <source>输入办件号</source>
        <translation>Type case number</translation>
    </message>
    <message>
        <source>输入身份证号</source>
        <translation>Type ID number</translation>
    </message>
    <message>
        <source>二维码无法识别。请输入通知书上的办件号。</source>
        <translation>The QR code could not be read. Type the case number from your notice.</translation>
    </message>
    <message>
        <source>二维码无法识别。请输入排队票上的号码。</source>
        <translation>The QR code could not be read. Type the number on your ticket.</translation>
    </message>
    <message>
        <source>办件号要和申请人的身份证一起查询：请刷身份证，或输入身份证号。</source>
        <translation>A case number is looked up together with the applicant&apos;s ID: place the ID card on the reader, or type the ID number.</translation>
    </message>
    <message>
        <source>没有找到这个排队号</source>
        <translation>No ticket with this number</translation>
    </message>
    <message>
        <source>只查得到本大厅今天的排队号。请核对排队票上的号码，或到咨询服务台询问。</source>
        <translation>Only today&apos;s tickets of this hall can be found. Check the number on your ticket, or ask at the information desk.</translation>
    </message>
    <message>
        <source>二维码可能不完整，或不是本大厅的通知书。请重新扫描，或到咨询服务台询问。</source>
        <translation>The QR code may be incomplete, or the notice is not from this hall. Scan again, or ask at the information desk.</translation>
    </message>
    <message>
        <source>没有找到这张排队票</source>
        <translation>Ticket not found</translation>
    </message>
    <message>
        <source>二维码可能不完整，或不是今天本大厅的排队票。请重新扫描，或到咨询服务台询问。</source>
        <translation>The QR code may be incomplete, or the ticket is not from this hall today. Please scan again, or ask at the information desk.</translation>
    </message>
    <message>
        <source>再查一张</source>
        <translation>Check another</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>RatePage</name>
    <message>
        <source>请扫描排队票上的二维码</source>
        <translation>Please scan the QR code on your ticket</translation>
    </message>
    <message>
        <source>业务办结后，把排队票上的二维码对准扫码口，即可评价本次服务</source>
        <translation>When your business is done, hold the QR code on your ticket to the scanner to rate the service</translation>
    </message>
    <message>
        <source>这不是排队票的二维码</source>
        <translation>This is not a queue ticket QR code</translation>
    </message>
    <message>
        <source>请扫描排队票上的二维码。</source>
        <translation>Please scan the QR code on your queue ticket.</translation>
    </message>
    <message>
        <source>本机没有连接扫码器，请输入排队票上的号码评价。</source>
        <translation>This terminal has no scanner: type the number on your ticket to rate.</translation>
    </message>
    <message>
        <source>输入排队号</source>
        <translation>Type ticket number</translation>
    </message>
    <message>
        <source>二维码无法识别。请输入排队票上的号码。</source>
        <translation>The QR code could not be read. Type the number on your ticket.</translation>
    </message>
    <message>
        <source>排队号 {number}。为防他人代评，请再输入票上二维码下方的评价码。</source>
        <translation>Ticket {number}. So that nobody else can rate your visit, also type the rating code printed under the QR code.</translation>
    </message>
    <message>
        <source>正在查询…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>这次服务已经评价过了</source>
        <translation>This service has already been rated</translation>
    </message>
    <message>
        <source>{number} 号的服务已收到您的评价，感谢参与。每次服务只能评价一次。</source>
        <translation>We already have your rating for ticket {number}, thank you. Each service can be rated only once.</translation>
    </message>
    <message>
        <source>{number} 号不是今天办结的业务，已不能在本机评价。</source>
        <translation>Ticket {number} was not completed today and can no longer be rated here.</translation>
    </message>
    <message>
        <source>{number} 号的业务还没有办结，办结后再来评价。</source>
        <translation>Ticket {number} is not finished yet. Please rate it once it is done.</translation>
    </message>
    <message>
        <source>暂时不能评价</source>
        <translation>Rating not possible yet</translation>
    </message>
    <message>
        <source>{n} 号窗口</source>
        <translation>Window {n}</translation>
    </message>
    <message>
        <source>请为本次服务评价：{ticket}</source>
        <translation>Please rate this service: {ticket}</translation>
    </message>
    <message>
        <source>没有找到这张排队票</source>
        <translation>Ticket not found</translation>
    </message>
    <message>
        <source>二维码可能不完整，或不是本大厅的排队票。请重新扫描，或到咨询服务台询问。</source>
        <translation>The QR code may be incomplete, or the ticket is not from this hall. Please scan again, or ask at the information desk.</translation>
    </message>
    <message>
        <source>正在提交评价…</source>
        <translation>Sending your rating…</translation>
    </message>
    <message>
        <source>您的评价已提交，我们会用它改进服务。</source>
        <translation>Your rating has been sent. We will use it to improve our service.</translation>
    </message>
    <message>
        <source>您的意见已提交。窗口负责人会核实情况并改进，给您带来不便，敬请谅解。</source>
        <translation>Your feedback has been sent. The window supervisor will look into it and make improvements. We apologise for the inconvenience.</translation>
    </message>
    <message>
        <source>感谢您的评价</source>
        <translation>Thank you for your rating</translation>
    </message>
    <message>
        <source>您的评价已保存在本机，大厅系统恢复后会自动提交，无需再评。</source>
        <translation>Your rating is kept on this terminal and will be sent by itself once the hall&apos;s system is back. There is no need to rate again.</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
</context>
<context>
    <name>RatingPanel</name>
    <message>
        <source>非常满意</source>
        <translation>Very satisfied</translation>
    </message>
    <message>
        <source>满意</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <source>基本满意</source>
        <translation>Fair</translation>
    </message>
    <message>
        <source>不满意</source>
        <translation>Dissatisfied</translation>
    </message>
    <message>
        <source>非常不满意</source>
        <translation>Very dissatisfied</translation>
    </message>
    <message>
        <source>重新选择</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>您的评价：{level}</source>
        <translation>Your rating: {level}</translation>
    </message>
    <message>
        <source>请选择不满意的原因（可多选），我们会认真核实并改进。</source>
        <translation>Please choose what went wrong (one or more). We will look into it and improve.</translation>
    </message>
    <message>
        <source>确认无误后请提交。</source>
        <translation>Please check, then submit.</translation>
    </message>
    <message>
        <source>请先选择原因</source>
        <translation>Choose a reason first</translation>
    </message>
    <message>
        <source>提交评价</source>
        <translation>Submit</translation>
    </message>
</context>
<context>
    <name>RatingScreen</name>
    <message>
        <source>请您为本次服务评价</source>
        <translation>Please rate this service</translation>
    </message>
    <message>
        <source>{number}号窗口</source>
        <translation>Window {number}</translation>
    </message>
    <message>
        <source>工作人员：{name}</source>
        <translation>Staff: {name}</translation>
    </message>
    <message>
        <source>办理事项：{name}</source>
        <translation>Service: {name}</translation>
    </message>
</context>
<context>
    <name>ScanFlow</name>
    <message>
        <source>请稍候</source>
        <translation>Please wait</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>正在准备事项目录，请稍候…</source>
        <translation>Preparing the list of services, please wait…</translation>
    </message>
    <message>
        <source>输入拼音或英文</source>
        <translation>Type English or pinyin</translation>
    </message>
    <message>
        <source>输入事项名称的拼音，全拼、首字母都可以：「不动产」输入 budongchan 或 BDC</source>
        <translation>Type words of the service&apos;s English name (such as passport), or its pinyin</translation>
    </message>
    <message>
        <source>没有找到相关事项，请换个说法，或到咨询台询问</source>
        <translation>Nothing found. Try other letters, or ask at the information desk</translation>
    </message>
    <message>
        <source>找到 {n} 项，点击即可取号</source>
        <translation>{n} found. Tap one to take a ticket</translation>
    </message>
    <message>
        <source>业务类别，直接在此取号</source>
        <translation>Service category: take a ticket here</translation>
    </message>
    <message>
        <source>在「{queue}」取号</source>
        <translation>Ticket: {queue}</translation>
    </message>
</context>
<context>
    <name>SelfServicePage</name>
    <message>
        <source>本机没有身份证读卡器</source>
        <translation>This terminal has no ID card reader</translation>
    </message>
    <message>
        <source>自助申报须先读取申请人的身份证。请取号到窗口办理。</source>
        <translation>A self-service application starts with the applicant&apos;s ID card. Please take a number and apply at a window.</translation>
    </message>
    <message>
        <source>请把申请人的身份证放在读卡区</source>
        <translation>Place the applicant&apos;s ID card on the card reader</translation>
    </message>
    <message>
        <source>读取身份证后，选择要申报的事项，按材料清单逐份拍摄提交。</source>
        <translation>Then choose the matter and capture each material on its checklist.</translation>
    </message>
    <message>
        <source>正在读取可自助申报的事项…</source>
        <translation>Loading the matters you can apply for here…</translation>
    </message>
    <message>
        <source>没有读到有效的身份证号码</source>
        <translation>No valid ID number was read</translation>
    </message>
    <message>
        <source>请把身份证平放在读卡区，稍等片刻再拿开。</source>
        <translation>Lay the ID card flat on the card reader and wait a moment before taking it away.</translation>
    </message>
    <message>
        <source>本厅暂无可自助申报的事项</source>
        <translation>No matter can be applied for at the terminal yet</translation>
    </message>
    <message>
        <source>请取号到窗口办理。</source>
        <translation>Please take a number and apply at a window.</translation>
    </message>
    <message>
        <source>请选择要申报的事项</source>
        <translation>Choose the matter to apply for</translation>
    </message>
    <message>
        <source>材料清单：点“拍摄”，把材料逐页放在高拍仪下</source>
        <translation>Materials: tap &quot;Capture&quot; and lay each page under the document camera</translation>
    </message>
    <message>
        <source>本机暂不能拍摄材料</source>
        <translation>This terminal cannot capture documents now</translation>
    </message>
    <message>
        <source>高拍仪暂时不能使用。请取号到窗口，工作人员会为您办理。</source>
        <translation>The document camera is not available. Please take a number for a window; the staff will help you there.</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <source>政务服务中心</source>
        <translation>Government Service Center</translation>
    </message>
    <message>
        <source>长辈模式</source>
        <translation>Elder mode</translation>
    </message>
    <message>
        <source>暂时连不上大厅服务器，正在自动重连，请稍候。</source>
        <translation>Cannot reach the hall server. Reconnecting, please wait.</translation>
    </message>
    <message>
        <source>本机未设置管理密码</source>
        <translation>No admin PIN is set on this terminal</translation>
    </message>
    <message>
        <source>密码不正确</source>
        <translation>Wrong PIN</translation>
    </message>
</context>
<context>
    <name>SupplementPage</name>
    <message>
        <source>本机不能查找办件</source>
        <translation>This terminal cannot find cases</translation>
    </message>
    <message>
        <source>本机没有身份证读卡器或扫码器。请取号到窗口补正材料。</source>
        <translation>This terminal has no ID card reader or scanner. Please take a number and bring the materials to a window.</translation>
    </message>
    <message>
        <source>请刷身份证，或扫描补正材料通知书上的二维码</source>
        <translation>Place your ID card, or scan the QR code on the notice of materials to supplement</translation>
    </message>
    <message>
        <source>找到需要补正的办件后，只拍通知书上列出的材料。</source>
        <translation>Only the materials the notice lists are captured.</translation>
    </message>
    <message>
        <source>正在查找需要补正的办件…</source>
        <translation>Looking for cases waiting for materials…</translation>
    </message>
    <message>
        <source>没有读到有效的身份证号码</source>
        <translation>No valid ID number was read</translation>
    </message>
    <message>
        <source>请把身份证平放在读卡区，稍等片刻再拿开。</source>
        <translation>Lay the ID card flat on the card reader and wait a moment before taking it away.</translation>
    </message>
    <message>
        <source>这不是补正材料通知书的二维码</source>
        <translation>This is not the QR code of a notice to supplement</translation>
    </message>
    <message>
        <source>请扫描补正材料通知书右上角的二维码，或刷身份证。</source>
        <translation>Scan the QR code at the top right of the notice, or place your ID card.</translation>
    </message>
    <message>
        <source>没有找到这个办件</source>
        <translation>Case not found</translation>
    </message>
    <message>
        <source>请核对通知书，或到咨询服务台请工作人员帮助。</source>
        <translation>Check the notice, or ask at the information desk.</translation>
    </message>
    <message>
        <source>没有需要补正材料的办件</source>
        <translation>No case is waiting for materials</translation>
    </message>
    <message>
        <source>这个办件现在不需要补正。可在“进度查询”中查看它的进度。</source>
        <translation>This case needs no materials now. Follow it under &quot;Check progress&quot;.</translation>
    </message>
    <message>
        <source>{number}  {matter}（请于 {deadline} 前补齐）</source>
        <translation>{number}  {matter} (supplement by {deadline})</translation>
    </message>
    <message>
        <source>输入办件号</source>
        <translation>Type the case number</translation>
    </message>
    <message>
        <source>还缺：{names}。补正须交齐通知书列出的全部材料。</source>
        <translation>Missing: {names}. Every material the notice lists must be handed in.</translation>
    </message>
    <message>
        <source>请选择要补正的办件</source>
        <translation>Choose the case to supplement</translation>
    </message>
    <message>
        <source>补正材料通知书列出的材料：逐份拍摄</source>
        <translation>Materials the notice lists: capture each</translation>
    </message>
</context>
<context>
    <name>TerminalView</name>
    <message>
        <source>取号</source>
        <translation>Take a ticket</translation>
    </message>
    <message>
        <source>现场排队取号</source>
        <translation>Queue for service in the hall</translation>
    </message>
    <message>
        <source>预约签到</source>
        <translation>Appointment check-in</translation>
    </message>
    <message>
        <source>扫预约二维码或刷身份证</source>
        <translation>Scan appointment QR or ID card</translation>
    </message>
    <message>
        <source>办事指南</source>
        <translation>Service guides</translation>
    </message>
    <message>
        <source>材料清单、办理时限，可打印告知单</source>
        <translation>Materials, time limits, printable notice</translation>
    </message>
    <message>
        <source>通知公告</source>
        <translation>Notices</translation>
    </message>
    <message>
        <source>办事时间、政策通知</source>
        <translation>Opening hours and policy news</translation>
    </message>
    <message>
        <source>进度查询</source>
        <translation>Check progress</translation>
    </message>
    <message>
        <source>扫排队票二维码或刷身份证</source>
        <translation>Scan ticket QR or ID card</translation>
    </message>
    <message>
        <source>服务评价</source>
        <translation>Rate our service</translation>
    </message>
    <message>
        <source>扫排队票二维码，评价办理过的服务</source>
        <translation>Scan your ticket QR to rate a service</translation>
    </message>
    <message>
        <source>复印 / 打印</source>
        <translation>Copy / Print</translation>
    </message>
    <message>
        <source>免费复印身份证和材料</source>
        <translation>Free copies of ID cards and documents</translation>
    </message>
    <message>
        <source>自助申报</source>
        <translation>Apply here</translation>
    </message>
    <message>
        <source>刷身份证，拍摄材料，网上预审</source>
        <translation>ID card, capture the materials, checked by a window</translation>
    </message>
    <message>
        <source>补正材料</source>
        <translation>Supplement materials</translation>
    </message>
    <message>
        <source>按补正通知书补交材料</source>
        <translation>Hand in what the notice asks for</translation>
    </message>
    <message>
        <source>您好，请选择要办理的业务</source>
        <translation>Hello, please choose what you need</translation>
    </message>
    <message>
        <source>持预约二维码或排队票二维码，可直接对准扫码口扫描</source>
        <translation>Have an appointment or ticket QR code? Just hold it to the scanner</translation>
    </message>
</context>
<context>
    <name>ThanksScreen</name>
    <message>
        <source>感谢您的评价</source>
        <translation>Thank you for your rating</translation>
    </message>
    <message>
        <source>我们会认真核实，及时改进</source>
        <translation>We will look into it and improve</translation>
    </message>
    <message>
        <source>您的评价将帮助我们把服务做得更好</source>
        <translation>Your rating helps us serve you better</translation>
    </message>
    <message>
        <source>网络暂时不通，评价已保存在本机，恢复后自动提交</source>
        <translation>The network is down. Your rating is saved here and will be sent automatically later</translation>
    </message>
</context>
<context>
    <name>TicketPage</name>
    <message>
        <source>{n} 秒后自动返回首页</source>
        <translation>Back to the home screen in {n} s</translation>
    </message>
    <message>
        <source>您的排队号</source>
        <translation>Your number</translation>
    </message>
    <message>
        <source>前面无人等候</source>
        <translation>No one ahead of you</translation>
    </message>
    <message>
        <source>前面还有 {n} 人 · 预计等待约 {minutes} 分钟</source>
        <translation>{n} ahead of you · about {minutes} min wait</translation>
    </message>
    <message>
        <source>前面还有 {n} 人</source>
        <translation>{n} ahead of you</translation>
    </message>
    <message>
        <source>老年人优先叫号</source>
        <translation>Senior priority</translation>
    </message>
    <message>
        <source>残疾人优先叫号 · 请在窗口出示残疾人证</source>
        <translation>Disabled priority · please show your disability certificate at the window</translation>
    </message>
    <message>
        <source>请取走您的排队凭条，留意叫号屏幕和语音提示</source>
        <translation>Please take your ticket, watch the screen and listen for your number</translation>
    </message>
    <message>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>手机扫码查看排队进度</source>
        <translation>Scan to follow your queue on your phone</translation>
    </message>
    <message>
        <source>打印机暂时无法出票{reason}。请用手机拍下本页或扫描二维码，凭号码等候叫号。</source>
        <translation>The printer cannot print a ticket right now{reason}. Take a photo of this screen or scan the QR code, then wait for your number to be called.</translation>
    </message>
    <message>
        <source>我已记下，完成</source>
        <translation>Noted, done</translation>
    </message>
    <message>
        <source>暂时无法在本机取号</source>
        <translation>Tickets not available on this machine</translation>
    </message>
    <message>
        <source>请到取号机或咨询服务台取号。</source>
        <translation>Please take a ticket at a ticket machine or the information desk.</translation>
    </message>
</context>
<context>
    <name>TicketStatus</name>
    <message>
        <source>等候中</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>已叫号</source>
        <translation>Called</translation>
    </message>
    <message>
        <source>办理中</source>
        <translation>Being served</translation>
    </message>
    <message>
        <source>已办结</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>过号</source>
        <translation>Missed</translation>
    </message>
    <message>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>已过期</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>{n} 号窗口</source>
        <translation>Window {n}</translation>
    </message>
    <message>
        <source>前面还有 {n} 人</source>
        <translation>{n} ahead of you</translation>
    </message>
    <message>
        <source>前面无人等候，马上为您叫号</source>
        <translation>No one ahead: you will be called shortly</translation>
    </message>
    <message>
        <source>预计等候约 {m} 分钟</source>
        <translation>About {m} min wait</translation>
    </message>
    <message>
        <source>请留意叫号屏幕和语音提示</source>
        <translation>Please watch the screen and listen for your number</translation>
    </message>
    <message>
        <source>请到 {window} 办理</source>
        <translation>Please go to {window}</translation>
    </message>
    <message>
        <source>请留意叫号屏幕</source>
        <translation>Please watch the calling screen</translation>
    </message>
    <message>
        <source>业务已办结，感谢您的耐心等候</source>
        <translation>Completed. Thank you for your patience</translation>
    </message>
    <message>
        <source>办理窗口：{window}</source>
        <translation>Served at: {window}</translation>
    </message>
    <message>
        <source>叫号时您不在，号码已过号</source>
        <translation>You were not there when called; your number was missed</translation>
    </message>
    <message>
        <source>请到咨询服务台，工作人员会为您安排</source>
        <translation>Please go to the information desk; the staff will help you</translation>
    </message>
    <message>
        <source>这张票已不能办理，请重新取号</source>
        <translation>This ticket is no longer valid. Please take a new one</translation>
    </message>
</context>
<context>
    <name>TypedEntryPanel</name>
    <message>
        <source>这个身份证号的最后一位对不上，请核对后重新输入。</source>
        <translation>The last character of this ID number does not match. Please check it and type it again.</translation>
    </message>
    <message>
        <source>还没有输完整，请核对位数。</source>
        <translation>Not complete yet: please check the number of characters.</translation>
    </message>
    <message>
        <source>排队号是字母加数字，例如 A012，请核对。</source>
        <translation>A ticket number is letters then digits, such as A012. Please check it.</translation>
    </message>
    <message>
        <source>评价码是 10 位字母和数字（数字只有 2–7），请核对。</source>
        <translation>A rating code is 10 letters and digits (digits 2–7 only). Please check it.</translation>
    </message>
    <message>
        <source>核验码由 8–16 位字母和数字组成，请核对。</source>
        <translation>A check-in code is 8–16 letters and digits. Please check it.</translation>
    </message>
    <message>
        <source>手机号是 1 开头的 11 位数字，请核对。</source>
        <translation>A mobile number is 11 digits starting with 1. Please check it.</translation>
    </message>
    <message>
        <source>办件号只有数字，请核对。</source>
        <translation>A case number has digits only. Please check it.</translation>
    </message>
    <message>
        <source>身份证号是 18 位，最后一位可能是 X，请核对。</source>
        <translation>An ID number has 18 characters; the last may be X. Please check it.</translation>
    </message>
    <message>
        <source>输入排队号</source>
        <translation>Type ticket number</translation>
    </message>
    <message>
        <source>号码印在排队票最上方，例如 A012。前面的 0 可以不输。</source>
        <translation>The number is printed at the top of your ticket, such as A012. Leading zeros may be left out.</translation>
    </message>
    <message>
        <source>输入评价码</source>
        <translation>Type rating code</translation>
    </message>
    <message>
        <source>评价码印在排队票二维码的下方，是 10 位字母和数字。</source>
        <translation>The rating code is printed under the QR code on your ticket: 10 letters and digits.</translation>
    </message>
    <message>
        <source>输入预约核验码</source>
        <translation>Type check-in code</translation>
    </message>
    <message>
        <source>核验码在预约短信或小程序的预约详情里，是 8–16 位字母和数字。</source>
        <translation>The check-in code is in your appointment SMS or in the mini-program&apos;s appointment details: 8–16 letters and digits.</translation>
    </message>
    <message>
        <source>输入预约时填写的手机号</source>
        <translation>Type the mobile number you booked with</translation>
    </message>
    <message>
        <source>11 位数字。号码只用于这次签到，不会保存。</source>
        <translation>11 digits. The number is used for this check-in only and is not kept.</translation>
    </message>
    <message>
        <source>输入办件号</source>
        <translation>Type case number</translation>
    </message>
    <message>
        <source>办件号印在受理通知书上方。只查得到以您的身份证申请的办件。</source>
        <translation>The case number is printed at the top of the acceptance notice. Only cases applied for under your ID can be found.</translation>
    </message>
    <message>
        <source>输入身份证号</source>
        <translation>Type ID number</translation>
    </message>
    <message>
        <source>18 位，最后一位可能是 X。号码只用于这次查询，不会保存。</source>
        <translation>18 characters; the last may be X. The number is used for this lookup only and is not kept.</translation>
    </message>
    <message>
        <source>查询</source>
        <translation>Search</translation>
    </message>
</context>
<context>
    <name>page</name>
    <message>
        <source>已提交，办件号 {number}</source>
        <translation>Submitted: case {number}</translation>
    </message>
</context>
</TS>
