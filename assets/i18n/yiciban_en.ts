<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
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
        <source>暂时连不上大厅服务器，正在自动重连。您仍可查看办事指南。</source>
        <translation>The hall server cannot be reached right now; reconnecting. Service guides are still available.</translation>
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
</TS>