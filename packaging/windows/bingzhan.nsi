; The station's Windows installer: bingzhan.exe into Program Files for every user of
; the PC, Start-menu entries, optionally the kiosk at this user's log-in, the WebView2
; check, and an uninstaller that keeps every user's station data. Simplified Chinese
; first, English second (Windows picks by its display language).
;
; packaging/windows.mk builds it from the repository root:
;   makensis -NOCD -DVERSION=0.9.158 -DWIN_VERSION=0.9.158.0 -DEXE=build/dist/bingzhan.exe \
;            -DICON=build/package/windows/bingzhan.ico -DOUTFILE=build/dist/bingzhan-setup-0.9.158.exe \
;            packaging/windows/bingzhan.nsi

Unicode true
; A 64-bit installer for a 64-bit program: it writes the 64-bit registry and
; Program Files without redirection (and runs under wine64 in the tests).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include Sections.nsh

!define PRODUCT "兵站 Bingzhan"
!define PUBLISHER "Bingzhan"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Bingzhan"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define MENU_DIR "$SMPROGRAMS\兵站 Bingzhan"
; The WebView2 runtime's client id; its "pv" value is the installed version.
!define WEBVIEW2_ID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_SETUP "MicrosoftEdgeWebView2RuntimeInstallerX64.exe"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Bingzhan"
; An upgrade goes where the first install went.
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${WIN_VERSION}"
VIFileVersion "${WIN_VERSION}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "$(FinishText)"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "$(UnFinishText)"
!insertmacro MUI_UNPAGE_FINISH

; The first language is the default where Windows speaks neither.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

!macro VersionKeys LANG NAME DESC
  VIAddVersionKey /LANG=${LANG} "ProductName" "${NAME}"
  VIAddVersionKey /LANG=${LANG} "FileDescription" "${DESC}"
  VIAddVersionKey /LANG=${LANG} "CompanyName" "${PUBLISHER}"
  VIAddVersionKey /LANG=${LANG} "LegalCopyright" "Bingzhan developers"
  VIAddVersionKey /LANG=${LANG} "ProductVersion" "${VERSION}"
  VIAddVersionKey /LANG=${LANG} "FileVersion" "${VERSION}"
!macroend
!insertmacro VersionKeys ${LANG_SIMPCHINESE} "兵站 服务站终端" "兵站 服务站终端 安装程序"
!insertmacro VersionKeys ${LANG_ENGLISH} "Bingzhan" "Bingzhan station kiosk setup"

LangString SecProgramName ${LANG_SIMPCHINESE} "兵站 服务站终端（必需）"
LangString SecProgramName ${LANG_ENGLISH} "Bingzhan kiosk (required)"
LangString SecAutostartName ${LANG_SIMPCHINESE} "本用户登录 Windows 后自动全屏打开自助机"
LangString SecAutostartName ${LANG_ENGLISH} "Start the kiosk full screen when this user logs in"
LangString ShortcutKiosk ${LANG_SIMPCHINESE} "兵站 服务站终端"
LangString ShortcutKiosk ${LANG_ENGLISH} "Bingzhan kiosk"
LangString ShortcutWindowed ${LANG_SIMPCHINESE} "兵站 服务站终端（窗口模式，用于设置）"
LangString ShortcutWindowed ${LANG_ENGLISH} "Bingzhan kiosk in a window (for setting up)"
LangString KioskRunning ${LANG_SIMPCHINESE} "兵站服务站终端正在运行，无法替换。$\r$\n请先关闭它：按住屏幕上的站名 3 秒，选“关闭自助机”，输入管理员 PIN。然后点“重试”。"
LangString KioskRunning ${LANG_ENGLISH} "The Bingzhan kiosk is running and cannot be replaced.$\r$\nClose it first: hold a finger on the station name for 3 seconds, choose to close the kiosk and give an admin PIN. Then press Retry."
LangString WebView2Running ${LANG_SIMPCHINESE} "正在安装 Microsoft Edge WebView2 运行时…"
LangString WebView2Running ${LANG_ENGLISH} "Installing the Microsoft Edge WebView2 Runtime…"
LangString FinishText ${LANG_SIMPCHINESE} "兵站服务站终端已安装。请从“开始”菜单打开“兵站 服务站终端”。第一次使用请看随附的说明（docs/install-windows.md）：接入县中心、添加第一位管理员。"
LangString FinishText ${LANG_ENGLISH} "The Bingzhan kiosk is installed. Open “Bingzhan kiosk” from the Start menu. For the first start (enrolling with the county, the first admin) see docs/install-windows.md."
LangString UnFinishText ${LANG_SIMPCHINESE} "兵站已卸载。数据没有删除：每位用户的数据库、密钥和备份仍在该用户的 %LOCALAPPDATA%\Bingzhan 文件夹（例如 C:\Users\用户名\AppData\Local\Bingzhan），重新安装后继续使用。确实不再需要时，先把其中的 keys 和 backups 文件夹备份好，再手动删除该文件夹。"
LangString UnFinishText ${LANG_ENGLISH} "Bingzhan is removed. Its data is not: each user's database, keys and backups stay in that user's %LOCALAPPDATA%\Bingzhan (such as C:\Users\NAME\AppData\Local\Bingzhan) and are used again after a new install. To remove them on purpose, copy the keys and backups folders somewhere safe first, then delete the folder by hand."

; The WebView2 message is in both languages whatever the installer speaks: it is
; likely to be passed on to someone else, with the USB stick.
!define WEBVIEW2_MISSING "这台电脑缺少 Microsoft Edge WebView2 运行时，兵站自助机窗口需要它（Windows 11 已自带）。$\r$\n\
在 Windows 10 上：在一台能上网的电脑上，从微软官网的 WebView2 页面下载“常青版独立安装程序”（Evergreen Standalone Installer，x64），\
文件名为 ${WEBVIEW2_SETUP}，用 U 盘拷到这台电脑，双击安装；或把它放在本安装程序旁边，再运行一次本安装程序，它会自动安装。\
兵站本身已安装好，装好 WebView2 后即可打开。$\r$\n$\r$\n\
This PC lacks the Microsoft Edge WebView2 Runtime, which the Bingzhan kiosk window needs (Windows 11 has it). \
On Windows 10: on a PC with Internet access, download the “Evergreen Standalone Installer” (x64) from Microsoft's WebView2 page, \
${WEBVIEW2_SETUP}, bring it on a USB stick and run it; or put it next to this setup program and run setup again, which then installs it. \
Bingzhan itself is installed and opens once WebView2 is there."

Section "!$(SecProgramName)" SecProgram
  SectionIn RO
  SetOutPath "$INSTDIR"
  Call CheckNotRunning
  File "/oname=bingzhan.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Shortcuts for every user of the PC, like the program itself.
  SetShellVarContext all
  CreateDirectory "${MENU_DIR}"
  CreateShortCut "${MENU_DIR}\$(ShortcutKiosk).lnk" "$INSTDIR\bingzhan.exe" "" "$INSTDIR\bingzhan.exe" 0
  CreateShortCut "${MENU_DIR}\$(ShortcutWindowed).lnk" "$INSTDIR\bingzhan.exe" "--windowed" "$INSTDIR\bingzhan.exe" 0
  SetShellVarContext current

  ; Programs and Features.
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\bingzhan.exe,0"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0

  Call CheckWebView2
SectionEnd

; The kiosk at log-in is this user's, not every user's: the station's data lives in
; the user's own folder, so an administrator or a second account logging in must get
; their desktop, not a second kiosk on an empty station. HKCU's Run key rather than a
; Startup-folder shortcut: it is one value the uninstaller removes by name, and
; Settings > Apps > Startup (and Task Manager) can switch it off without deleting it.
Section "$(SecAutostartName)" SecAutostart
  WriteRegStr HKCU "${RUN_KEY}" "Bingzhan" '"$INSTDIR\bingzhan.exe"'
SectionEnd

; An upgrade without the box ticked turns auto-start off again.
Section "-autostart off"
  ${IfNot} ${SectionIsSelected} ${SecAutostart}
    DeleteRegValue HKCU "${RUN_KEY}" "Bingzhan"
  ${EndIf}
SectionEnd

Function .onInit
  SetRegView 64
  ; An upgrade keeps this user's auto-start choice; a first install ticks it, since
  ; the kiosk PC is what the installer is for.
  ReadRegStr $0 HKLM "${UNINST_KEY}" "DisplayVersion"
  ReadRegStr $1 HKCU "${RUN_KEY}" "Bingzhan"
  ${If} $0 != ""
  ${AndIf} $1 == ""
    !insertmacro UnselectSection ${SecAutostart}
  ${EndIf}
FunctionEnd

; CheckNotRunning waits until bingzhan.exe can be replaced: a running program's file
; cannot be opened for writing.
Function CheckNotRunning
  ${Do}
    ${IfNot} ${FileExists} "$INSTDIR\bingzhan.exe"
      Return
    ${EndIf}
    ClearErrors
    FileOpen $0 "$INSTDIR\bingzhan.exe" a
    ${IfNot} ${Errors}
      FileClose $0
      Return
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(KioskRunning)" /SD IDCANCEL IDRETRY +2
    Abort
  ${Loop}
FunctionEnd

; HasWebView2 puts the installed WebView2 runtime's version on the stack, or "": the
; per-machine runtime (registered in the 32-bit view on 64-bit Windows, in the 64-bit
; one elsewhere) or one installed for this user only.
Function HasWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${EndIf}
  ${If} $0 == "0.0.0.0"
    StrCpy $0 ""
  ${EndIf}
  Push $0
FunctionEnd

; CheckWebView2 installs the runtime from Microsoft's standalone installer when it lies
; next to this setup program and the runtime is missing; otherwise it says how to get
; it. Bingzhan is installed either way: `serve` and the LAN need no WebView2.
Function CheckWebView2
  Call HasWebView2
  Pop $0
  ${If} $0 != ""
    DetailPrint "WebView2 $0"
    Return
  ${EndIf}
  ${If} ${FileExists} "$EXEDIR\${WEBVIEW2_SETUP}"
    DetailPrint "$(WebView2Running)"
    ExecWait '"$EXEDIR\${WEBVIEW2_SETUP}" /silent /install' $1
    DetailPrint "${WEBVIEW2_SETUP}: $1"
    Call HasWebView2
    Pop $0
    ${If} $0 != ""
      DetailPrint "WebView2 $0"
      Return
    ${EndIf}
  ${EndIf}
  DetailPrint "WebView2 missing"
  MessageBox MB_OK|MB_ICONINFORMATION "${WEBVIEW2_MISSING}" /SD IDOK
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

; The uninstaller removes the program, its shortcuts and this user's auto-start, and
; never a data folder: data lives in each user's %LOCALAPPDATA%\Bingzhan.
Section "Uninstall"
  ${Do}
    ClearErrors
    Delete "$INSTDIR\bingzhan.exe"
    ${IfNot} ${Errors}
      ${Break}
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(KioskRunning)" /SD IDCANCEL IDRETRY +2
    Abort
  ${Loop}
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  SetShellVarContext all
  RMDir /r "${MENU_DIR}"
  SetShellVarContext current
  DeleteRegValue HKCU "${RUN_KEY}" "Bingzhan"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DetailPrint "$(UnFinishText)"
SectionEnd
