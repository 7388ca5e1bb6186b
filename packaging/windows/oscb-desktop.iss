; Inno Setup script: OSCB Desktop for Windows, installed per user, without administrator rights.
;
; Build the frozen app first (uv run python packaging/build.py), then, from the repository's root:
;   ISCC /DAppVersion=0.1.0 packaging\windows\oscb-desktop.iss
; -> packaging\dist\oscb-desktop-0.1.0-setup.exe
; .github/workflows/windows-installer.yml does both on a Windows runner and passes the version the frozen
; oscb.exe reports. This script cannot be compiled on Linux (see packaging/README.md).
;
; What it installs, all under the user's own profile:
;   %LOCALAPPDATA%\Programs\OSCB Desktop\   the frozen folder (oscb-desktop.exe, oscb.exe, _internal\)
;   Start menu: OSCB Desktop (and, if ticked, a desktop shortcut)
;   HKCU\Software\Classes: .oscb, .oscbpack, .oscbfeedback open in the app. Windows associates by the last
;     extension only, so an encrypted return (.oscb.p7m) is a .p7m file: the app is added to the .p7m
;     "Open with" list rather than taking .p7m over from the mail or signature software that owns it.
;   An uninstaller (Settings > Apps), which removes the files, shortcuts and associations again.

#ifndef AppVersion
  #error Pass the app's version: ISCC /DAppVersion=X.Y.Z packaging\windows\oscb-desktop.iss
#endif
#ifndef SourceDir
  #define SourceDir "..\dist\oscb-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#define AppName "OSCB Desktop"
#define AppExe "oscb-desktop.exe"

[Setup]
; AppId identifies the app to Windows across versions: never change it.
AppId={{939364CF-CF70-4D79-94C0-86AB48E6FE62}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
; Per user, no UAC prompt: {autopf} is %LOCALAPPDATA%\Programs, HKA is HKEY_CURRENT_USER.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
SetupIconFile=oscb-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename=oscb-desktop-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The app keeps its workspace in the user's data folder, not here: uninstalling never touches returns.
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; A signed return (.oscb)
Root: HKA; Subkey: "Software\Classes\.oscb"; ValueType: string; ValueName: ""; ValueData: "OSCBDesktop.Bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.oscb\OpenWithProgids"; ValueType: string; ValueName: "OSCBDesktop.Bundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Bundle"; ValueType: string; ValueName: ""; ValueData: "OSCB signed return"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; A partnership pack (.oscbpack)
Root: HKA; Subkey: "Software\Classes\.oscbpack"; ValueType: string; ValueName: ""; ValueData: "OSCBDesktop.Pack"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.oscbpack\OpenWithProgids"; ValueType: string; ValueName: "OSCBDesktop.Pack"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Pack"; ValueType: string; ValueName: ""; ValueData: "OSCB partnership pack"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Pack\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Pack\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; Feedback on a return (.oscbfeedback)
Root: HKA; Subkey: "Software\Classes\.oscbfeedback"; ValueType: string; ValueName: ""; ValueData: "OSCBDesktop.Feedback"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.oscbfeedback\OpenWithProgids"; ValueType: string; ValueName: "OSCBDesktop.Feedback"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Feedback"; ValueType: string; ValueName: ""; ValueData: "OSCB feedback on a return"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Feedback\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.Feedback\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; An encrypted return (.oscb.p7m): offered in "Open with" for .p7m, not made the default.
Root: HKA; Subkey: "Software\Classes\.p7m\OpenWithProgids"; ValueType: string; ValueName: "OSCBDesktop.EncryptedBundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.EncryptedBundle"; ValueType: string; ValueName: ""; ValueData: "OSCB signed return, encrypted for the Business Unit"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.EncryptedBundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\OSCBDesktop.EncryptedBundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; The app as Windows lists it in "Open with", with the types it opens.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".oscb"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".oscbpack"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".oscbfeedback"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".p7m"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
