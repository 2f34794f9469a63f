<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
  <context>
    <name>SarOpticalRegistration</name>
    <message>
      <source>Reading the rasters</source>
      <translation>Raster werden gelesen</translation>
    </message>
    <message>
      <source>Coarse alignment</source>
      <translation>Grobausrichtung</translation>
    </message>
    <message>
      <source>Finding keypoints</source>
      <translation>Merkmalspunkte werden gesucht</translation>
    </message>
    <message>
      <source>Searching rotation, scale and shift</source>
      <translation>Suche nach Drehung, Maßstab und Verschiebung</translation>
    </message>
    <message>
      <source>Describing keypoints (network)</source>
      <translation>Merkmalspunkte werden beschrieben (Netz)</translation>
    </message>
    <message>
      <source>Matching</source>
      <translation>Zuordnung</translation>
    </message>
    <message>
      <source>Self-check: registering again with the SAR moved slightly</source>
      <translation>Selbstprüfung: erneute Registrierung mit leicht verschobenem SAR</translation>
    </message>
    <message>
      <source>Done</source>
      <translation>Fertig</translation>
    </message>
    <message>
      <source>Fetching the web map over the SAR raster</source>
      <translation>Webkarte über dem SAR-Raster abrufen</translation>
    </message>
    <message>
      <source>id {id} in the optical layer</source>
      <translation>Id {id} im optischen Layer</translation>
    </message>
    <message>
      <source>id {id} in the SAR layer</source>
      <translation>Id {id} im SAR-Layer</translation>
    </message>
    <message>
      <source>one without an id in the optical layer</source>
      <translation>einer ohne Id im optischen Layer</translation>
    </message>
    <message>
      <source>one without an id in the SAR layer</source>
      <translation>einer ohne Id im SAR-Layer</translation>
    </message>
    <message>
      <source>{count} added point(s) not used ({points}): a tie point needs a point with the same id in the optical and in the SAR tie-point layer, or the other raster's position typed into its fields (sar_x, sar_y or optical_x, optical_y). Add the missing partner or position, then re-fit.</source>
      <translation>{count} hinzugefügte(r) Punkt(e) nicht verwendet ({points}): ein Passpunkt braucht einen Punkt mit derselben Id im optischen und im SAR-Passpunkt-Layer oder die Position im anderen Raster, in seine Felder eingetragen (sar_x, sar_y oder optical_x, optical_y). Fügen Sie den fehlenden Partner oder die Position hinzu, dann passen Sie neu an.</translation>
    </message>
    <message>
      <source>Waiting to start...</source>
      <translation>Wartet auf den Start...</translation>
    </message>
    <message>
      <source>Open tie points</source>
      <translation>Passpunkte öffnen</translation>
    </message>
    <message>
      <source>Writing the outputs...</source>
      <translation>Ausgaben werden geschrieben...</translation>
    </message>
    <message>
      <source>Choose an optical and a SAR raster first.</source>
      <translation>Wählen Sie zuerst ein optisches und ein SAR-Raster.</translation>
    </message>
    <message>
      <source>Pick layers from the project in the two lists, or browse for files with '…'.</source>
      <translation>Wählen Sie Layer des Projekts in den beiden Listen, oder suchen Sie Dateien mit '…'.</translation>
    </message>
    <message>
      <source>The optical and the SAR raster are the same file.</source>
      <translation>Das optische und das SAR-Raster sind dieselbe Datei.</translation>
    </message>
    <message>
      <source>Choose two different rasters.</source>
      <translation>Wählen Sie zwei verschiedene Raster.</translation>
    </message>
    <message>
      <source>The tie points kept in the project ('{layer}') were measured on rasters not found: {missing}. Add what is missing to the project (a raster of the same file name will do; a web map layer of the same name) and the dock takes the tie points up; or open a GeoPackage written from them with Open tie points.</source>
      <translation>Die im Projekt aufbewahrten Passpunkte ('{layer}') wurden auf Rastern gemessen, die nicht gefunden wurden: {missing}. Fügen Sie das Fehlende dem Projekt hinzu (ein Raster mit demselben Dateinamen genügt; ein Webkarten-Layer mit demselben Namen), dann übernimmt das Dock die Passpunkte; oder öffnen Sie ein daraus geschriebenes GeoPackage mit 'Passpunkte öffnen'.</translation>
    </message>
    <message>
      <source>That check was made on the matched tie points: your edits since are not checked.</source>
      <translation>Diese Prüfung galt den gefundenen Passpunkten: Ihre Änderungen seither sind nicht geprüft.</translation>
    </message>
    <message>
      <source>The georeferencing was ignored (Advanced): the whole image was searched.</source>
      <translation>Die Georeferenzierung wurde nicht verwendet (Erweitert): Das ganze Bild wurde durchsucht.</translation>
    </message>
    <message>
      <source>The tie point layers are no longer in the project.</source>
      <translation>Die Passpunkt-Layer sind nicht mehr im Projekt.</translation>
    </message>
    <message>
      <source>Run the registration again.</source>
      <translation>Führen Sie die Registrierung erneut aus.</translation>
    </message>
    <message>
      <source>Cancelling...</source>
      <translation>Wird abgebrochen...</translation>
    </message>
    <message>
      <source>Tie points kept in the project: {summary}</source>
      <translation>Im Projekt aufbewahrte Passpunkte: {summary}</translation>
    </message>
    <message>
      <source>Tie points (*.gpkg *.points)</source>
      <translation>Passpunkte (*.gpkg *.points)</translation>
    </message>
    <message>
      <source>GeoPackage (*.gpkg)</source>
      <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
      <source>Georeferencer points (*.points)</source>
      <translation>Georeferenzierer-Punkte (*.points)</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>Alle Dateien (*)</translation>
    </message>
    <message>
      <source>Choose an existing file.</source>
      <translation>Wählen Sie eine vorhandene Datei.</translation>
    </message>
    <message>
      <source>Choose the optical and the SAR raster the tie points were measured on first.</source>
      <translation>Wählen Sie zuerst das optische und das SAR-Raster, auf denen die Passpunkte gemessen wurden.</translation>
    </message>
    <message>
      <source>Pick them on the Registration tab (or browse for the files), then open the tie points.</source>
      <translation>Wählen Sie sie auf der Registerkarte „Registrierung“ (oder suchen Sie die Dateien), dann öffnen Sie die Passpunkte.</translation>
    </message>
    <message>
      <source>If that is not the raster they were measured on, choose it in the dock and open the tie points again.</source>
      <translation>Wenn das nicht das Raster ist, auf dem sie gemessen wurden, wählen Sie es im Dock und öffnen Sie die Passpunkte erneut.</translation>
    </message>
    <message>
      <source>{used} of {total} matches used; RMSE {rmse} px ({model}).</source>
      <translation>{used} von {total} Zuordnungen verwendet; RMSE {rmse} px ({model}).</translation>
    </message>
    <message>
      <source>{used} of {total} matches used; RMSE {rmse} px, {metres} on the ground ({model}).</source>
      <translation>{used} von {total} Zuordnungen verwendet; RMSE {rmse} px, {metres} im Gelände ({model}).</translation>
    </message>
    <message>
      <source>Self-check FAILED: with the SAR moved slightly, the images could not be registered again. Inspect the tie points before using this result.</source>
      <translation>Selbstprüfung FEHLGESCHLAGEN: mit leicht verschobenem SAR ließen sich die Bilder nicht erneut registrieren. Prüfen Sie die Passpunkte, bevor Sie dieses Ergebnis verwenden.</translation>
    </message>
    <message>
      <source>There is no registration result to write.</source>
      <translation>Es gibt kein Registrierungsergebnis zum Schreiben.</translation>
    </message>
    <message>
      <source>Run the registration first.</source>
      <translation>Führen Sie zuerst die Registrierung aus.</translation>
    </message>
    <message>
      <source>No output file is chosen.</source>
      <translation>Es ist keine Ausgabedatei gewählt.</translation>
    </message>
    <message>
      <source>Choose where to write the registered SAR or the tie points.</source>
      <translation>Wählen Sie, wohin das registrierte SAR-Raster oder die Passpunkte geschrieben werden.</translation>
    </message>
    <message>
      <source>Give each output its own file name.</source>
      <translation>Geben Sie jeder Ausgabe einen eigenen Dateinamen.</translation>
    </message>
    <message>
      <source>web map layer '{name}'</source>
      <translation>Webkarten-Layer '{name}'</translation>
    </message>
    <message>
      <source>Note: {warnings}</source>
      <translation>Hinweis: {warnings}</translation>
    </message>
    <message>
      <source>Opened {path}: {summary}</source>
      <translation>{path} geöffnet: {summary}</translation>
    </message>
    <message>
      <source>a web map layer no longer in the project (optical)</source>
      <translation>ein Webkarten-Layer, der nicht mehr im Projekt ist (optisch)</translation>
    </message>
    <message>
      <source>'{path}' (SAR)</source>
      <translation>'{path}' (SAR)</translation>
    </message>
    <message>
      <source>Features: {features}.</source>
      <translation>Merkmale: {features}.</translation>
    </message>
    <message>
      <source>Self-check passed: with the SAR moved slightly, the fit moved by {moved} px.</source>
      <translation>Selbstprüfung bestanden: mit leicht verschobenem SAR verschob sich die Anpassung um {moved} px.</translation>
    </message>
    <message>
      <source>Network {name} on {device}, {seconds} s.</source>
      <translation>Netz {name} auf {device}, {seconds} s.</translation>
    </message>
    <message>
      <source>Re-fitted: {summary}</source>
      <translation>Neu angepasst: {summary}</translation>
    </message>
    <message>
      <source>the web map layer '{name}' (optical)</source>
      <translation>der Webkarten-Layer '{name}' (optisch)</translation>
    </message>
    <message>
      <source>The tie-point file '{path}' does not exist.</source>
      <translation>Die Passpunktdatei '{path}' existiert nicht.</translation>
    </message>
    <message>
      <source>Leave-one-out RMSE: {rmse} px.</source>
      <translation>Leave-one-out-RMSE: {rmse} px.</translation>
    </message>
    <message>
      <source>Leave-one-out RMSE: {rmse} px, {metres} on the ground.</source>
      <translation>Leave-one-out-RMSE: {rmse} px, {metres} im Gelände.</translation>
    </message>
    <message>
      <source>The outputs '{first}' and '{second}' are both '{path}': the one written second would replace the other.</source>
      <translation>Die Ausgaben '{first}' und '{second}' sind beide '{path}': Die zuletzt geschriebene würde die andere ersetzen.</translation>
    </message>
    <message>
      <source>Cancelled after writing {files}; the other files were not written.</source>
      <translation>Abgebrochen nach dem Schreiben von {files}; die übrigen Dateien wurden nicht geschrieben.</translation>
    </message>
    <message>
      <source>Wrote {files}.</source>
      <translation>Geschrieben: {files}.</translation>
    </message>
    <message>
      <source>'{path}' (optical)</source>
      <translation>'{path}' (optisch)</translation>
    </message>
    <message>
      <source>The tie points were measured on the tile URL '{url}': it is added to the project as the web map layer '{name}', the optical reference.</source>
      <translation>Die Passpunkte wurden auf der Kachel-URL '{url}' gemessen: Sie wird dem Projekt als Webkarten-Layer '{name}' hinzugefügt, die optische Referenz.</translation>
    </message>
    <message>
      <source>Self-check FAILED: with the SAR moved slightly, the fit moved by {moved} px. Inspect the tie points before using this result.</source>
      <translation>Selbstprüfung FEHLGESCHLAGEN: mit leicht verschobenem SAR verschob sich die Anpassung um {moved} px. Prüfen Sie die Passpunkte, bevor Sie dieses Ergebnis verwenden.</translation>
    </message>
    <message>
      <source>The tie points were written for '{written}' and are shown on '{chosen}'.</source>
      <translation>Die Passpunkte wurden für '{written}' geschrieben und werden auf '{chosen}' gezeigt.</translation>
    </message>
    <message>
      <source>Affine</source>
      <translation>Affin</translation>
    </message>
    <message>
      <source>Projective (homography)</source>
      <translation>Projektiv (Homographie)</translation>
    </message>
    <message>
      <source>Polynomial, order 1</source>
      <translation>Polynom 1. Ordnung</translation>
    </message>
    <message>
      <source>Polynomial, order 2</source>
      <translation>Polynom 2. Ordnung</translation>
    </message>
    <message>
      <source>Polynomial, order 3</source>
      <translation>Polynom 3. Ordnung</translation>
    </message>
    <message>
      <source>Thin plate spline</source>
      <translation>Thin-Plate-Spline</translation>
    </message>
    <message>
      <source>Automatic: structural search, then the network</source>
      <translation>Automatisch: Struktursuche, dann das Netz</translation>
    </message>
    <message>
      <source>Structural search only</source>
      <translation>Nur Struktursuche</translation>
    </message>
    <message>
      <source>Network on a dense SAR grid</source>
      <translation>Netz auf einem dichten SAR-Raster</translation>
    </message>
    <message>
      <source>Keypoints in both images (published method)</source>
      <translation>Merkmalspunkte in beiden Bildern (veröffentlichte Methode)</translation>
    </message>
    <message>
      <source>Learned optical-SAR features</source>
      <translation>Gelernte Optik-SAR-Merkmale</translation>
    </message>
    <message>
      <source>Oriented gradients (CFOG)</source>
      <translation>Orientierte Gradienten (CFOG)</translation>
    </message>
    <message>
      <source>Guess from the data</source>
      <translation>Aus den Daten erkennen</translation>
    </message>
    <message>
      <source>Linear backscatter</source>
      <translation>Lineare Rückstreuung</translation>
    </message>
    <message>
      <source>Decibels (dB)</source>
      <translation>Dezibel (dB)</translation>
    </message>
    <message>
      <source>Display values (8/16 bit)</source>
      <translation>Anzeigewerte (8/16 Bit)</translation>
    </message>
    <message>
      <source>SAR-Optical Registration</source>
      <translation>SAR-Optik-Registrierung</translation>
    </message>
    <message>
      <source>Registration</source>
      <translation>Registrierung</translation>
    </message>
    <message>
      <source>Tie points</source>
      <translation>Passpunkte</translation>
    </message>
    <message>
      <source>Inputs</source>
      <translation>Eingaben</translation>
    </message>
    <message>
      <source>Optical (reference)</source>
      <translation>Optisch (Referenz)</translation>
    </message>
    <message>
      <source>SAR (to register)</source>
      <translation>SAR (zu registrieren)</translation>
    </message>
    <message>
      <source>Transform and device</source>
      <translation>Transformation und Gerät</translation>
    </message>
    <message>
      <source>The transform the registered SAR is written with. Chosen with tie points shown, they are fitted again at once: compare the transforms by the leave-one-out RMSE in the summary (a thin-plate spline passes through every point, so its own RMSE is 0).</source>
      <translation>Die Transformation, mit der das registrierte SAR geschrieben wird. Bei angezeigten Passpunkten werden diese sofort neu angepasst: vergleichen Sie die Transformationen anhand des Leave-one-out-RMSE in der Zusammenfassung (ein Thin-Plate-Spline geht durch jeden Punkt, sein eigener RMSE ist daher 0).</translation>
    </message>
    <message>
      <source>no GPU found, uses the CPU</source>
      <translation>keine GPU gefunden, nutzt die CPU</translation>
    </message>
    <message>
      <source>Self-check (up to twice the time)</source>
      <translation>Selbstprüfung (bis zu doppelte Zeit)</translation>
    </message>
    <message>
      <source>Registers again with the SAR moved by a known small rotation and shift, and warns when the two fits put the image's corners more than 3 px apart: such a result should be inspected before use.</source>
      <translation>Registriert erneut mit dem SAR um eine bekannte kleine Drehung und Verschiebung versetzt und warnt, wenn die beiden Anpassungen die Bildecken mehr als 3 px auseinander legen: ein solches Ergebnis sollte vor der Verwendung geprüft werden.</translation>
    </message>
    <message>
      <source>Transform</source>
      <translation>Transformation</translation>
    </message>
    <message>
      <source>Device</source>
      <translation>Gerät</translation>
    </message>
    <message>
      <source>Advanced</source>
      <translation>Erweitert</translation>
    </message>
    <message>
      <source>Automatic finds the rotation, scale and shift at which both images' structures correlate best and uses the network only when that is refused; all but the published method then locate each keypoint precisely by template matching.</source>
      <translation>Automatisch sucht Drehung, Maßstab und Verschiebung, bei denen die Strukturen beider Bilder am besten korrelieren, und nutzt das Netz nur, wenn dies abgelehnt wird; alle außer der veröffentlichten Methode verorten danach jeden Merkmalspunkt genau durch Template-Matching.</translation>
    </message>
    <message>
      <source>What template matching compares to place each keypoint precisely: features a network learnt for optical-SAR matching, or hand-made oriented-gradient channels.</source>
      <translation>Was das Template-Matching vergleicht, um jeden Merkmalspunkt genau zu platzieren: Merkmale, die ein Netz für den Optik-SAR-Abgleich gelernt hat, oder handgemachte Kanäle orientierter Gradienten.</translation>
    </message>
    <message>
      <source>automatic</source>
      <translation>automatisch</translation>
    </message>
    <message>
      <source>How far the georeferencing of the SAR raster may be off (used when both rasters are georeferenced)</source>
      <translation>Wie weit die Georeferenzierung des SAR-Rasters abweichen darf (wird verwendet, wenn beide Raster georeferenziert sind)</translation>
    </message>
    <message>
      <source>Ignore the georeferencing (search the whole image)</source>
      <translation>Georeferenzierung nicht verwenden (das ganze Bild durchsuchen)</translation>
    </message>
    <message>
      <source>For a raster whose georeferencing is wrong, or further off than any search radius: the images are matched as if neither had any (slower; a mirrored image is not found). The outputs are still on the optical raster's grid.</source>
      <translation>Für ein Raster, dessen Georeferenzierung falsch ist oder weiter daneben liegt als jeder Suchradius: Die Bilder werden zugeordnet, als hätte keines eine (langsamer; ein gespiegeltes Bild wird nicht gefunden). Die Ausgaben liegen weiterhin im Raster des optischen Bildes.</translation>
    </message>
    <message>
      <source>Keep only mutual nearest neighbours</source>
      <translation>Nur gegenseitig nächste Nachbarn behalten</translation>
    </message>
    <message>
      <source>How far, in optical pixels, a match may lie from the fitted transform and still agree with it (the first check's tolerance too)</source>
      <translation>Wie weit, in optischen Pixeln, eine Zuordnung von der angepassten Transformation abweichen darf und noch mit ihr übereinstimmt (auch die Toleranz der ersten Prüfung)</translation>
    </message>
    <message>
      <source>Matches that must agree on one transform, or the registration is refused: the first check counts them once per template-sized cell of the image, the last counts the tie points kept. Raise it to refuse weak results rather than show them.</source>
      <translation>Zuordnungen, die auf eine Transformation übereinstimmen müssen, sonst wird die Registrierung abgelehnt: Die erste Prüfung zählt sie einmal je Zelle von Template-Größe im Bild, die letzte zählt die behaltenen Passpunkte. Erhöhen Sie den Wert, um schwache Ergebnisse abzulehnen, statt sie anzuzeigen.</translation>
    </message>
    <message>
      <source>Keypoints per image</source>
      <translation>Merkmalspunkte je Bild</translation>
    </message>
    <message>
      <source>Matcher</source>
      <translation>Zuordnungsverfahren</translation>
    </message>
    <message>
      <source>Features</source>
      <translation>Merkmale</translation>
    </message>
    <message>
      <source>Grid step</source>
      <translation>Gitterabstand</translation>
    </message>
    <message>
      <source>Search radius</source>
      <translation>Suchradius</translation>
    </message>
    <message>
      <source>RANSAC threshold</source>
      <translation>RANSAC-Schwellenwert</translation>
    </message>
    <message>
      <source>Minimum matches</source>
      <translation>Mindestzahl an Zuordnungen</translation>
    </message>
    <message>
      <source>SAR values</source>
      <translation>SAR-Werte</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>Ausführen</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Abbrechen</translation>
    </message>
    <message>
      <source>No result yet.</source>
      <translation>Noch kein Ergebnis.</translation>
    </message>
    <message>
      <source>Zoom to point</source>
      <translation>Auf Punkt zoomen</translation>
    </message>
    <message>
      <source>Re-fit</source>
      <translation>Neu anpassen</translation>
    </message>
    <message>
      <source>Fit the transform again from the tie point layers after you deleted, moved or disabled points (set 'enabled' to 0), or added a point in both layers under the same id; the network does not run again.</source>
      <translation>Passt die Transformation erneut an die Passpunkt-Layer an, nachdem Sie Punkte gelöscht, verschoben oder deaktiviert ('enabled' auf 0 setzen) oder in beiden Layern einen Punkt mit derselben Id hinzugefügt haben; das Netz läuft nicht erneut.</translation>
    </message>
    <message>
      <source>Open tie points...</source>
      <translation>Passpunkte öffnen...</translation>
    </message>
    <message>
      <source>Open tie points saved earlier (a GeoPackage written by the dock, the toolbox or the command line, or a Georeferencer .points file) on the optical and SAR raster chosen on the Registration tab (a GeoPackage chooses the rasters it was written for when none are), to inspect, edit, re-fit and write them; nothing is matched.</source>
      <translation>Früher gespeicherte Passpunkte (ein vom Dock, der Werkzeugkiste oder der Kommandozeile geschriebenes GeoPackage oder eine .points-Datei des Georeferenzierers) auf dem auf der Registerkarte „Registrierung“ gewählten optischen und SAR-Raster öffnen (ein GeoPackage wählt die Raster, für die es geschrieben wurde, wenn keine gewählt sind), um sie zu prüfen, zu bearbeiten, neu anzupassen und zu schreiben; es wird nichts zugeordnet.</translation>
    </message>
    <message>
      <source>Outputs</source>
      <translation>Ausgaben</translation>
    </message>
    <message>
      <source>Registered SAR GeoTIFF</source>
      <translation>Registriertes SAR-GeoTIFF</translation>
    </message>
    <message>
      <source>GeoTIFF (*.tif *.tiff)</source>
      <translation>GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
      <source>Tie points for the Georeferencer</source>
      <translation>Passpunkte für den Georeferenzierer</translation>
    </message>
    <message>
      <source>Tie points as GeoPackage</source>
      <translation>Passpunkte als GeoPackage</translation>
    </message>
    <message>
      <source>Registration report</source>
      <translation>Registrierungsbericht</translation>
    </message>
    <message>
      <source>HTML files (*.html)</source>
      <translation>HTML-Dateien (*.html)</translation>
    </message>
    <message>
      <source>The fit's RMSE (optical pixels and metres on the ground), the counts, and every tie point with its residual, as an HTML page</source>
      <translation>Der RMSE der Anpassung (optische Pixel und Meter im Gelände), die Anzahlen und jeder Passpunkt mit seinem Residuum, als HTML-Seite</translation>
    </message>
    <message>
      <source>Overwrite existing files</source>
      <translation>Vorhandene Dateien überschreiben</translation>
    </message>
    <message>
      <source>Where the registered SAR's pixels lie. The SAR's own CRS suits a web map reference, which is in web Mercator; the tie points stay in the optical raster's CRS.</source>
      <translation>Wo die Pixel des registrierten SAR liegen. Das eigene KBS des SAR eignet sich für eine Webkarte als Referenz, die in Web-Mercator vorliegt; die Passpunkte bleiben im KBS des optischen Rasters.</translation>
    </message>
    <message>
      <source>Write outputs</source>
      <translation>Ausgaben schreiben</translation>
    </message>
    <message>
      <source>Registered SAR</source>
      <translation>Registriertes SAR</translation>
    </message>
    <message>
      <source>Written on</source>
      <translation>Geschrieben in</translation>
    </message>
    <message>
      <source>.points file</source>
      <translation>.points-Datei</translation>
    </message>
    <message>
      <source>GeoPackage</source>
      <translation>GeoPackage</translation>
    </message>
    <message>
      <source>Report</source>
      <translation>Bericht</translation>
    </message>
    <message>
      <source>GPU found: {name}</source>
      <translation>GPU gefunden: {name}</translation>
    </message>
    <message>
      <source>CPU</source>
      <translation>CPU</translation>
    </message>
    <message>
      <source>The tie points looked for: template matching locates this many keypoints, spread over the image. More give a slightly tighter fit and take longer. The network's matchers query at least {queries} keypoints whatever this says.</source>
      <translation>Die gesuchten Passpunkte: Das Template-Matching verortet so viele über das Bild verteilte Merkmalspunkte. Mehr ergeben eine etwas engere Anpassung und dauern länger. Die Zuordnungen des Netzes fragen unabhängig davon mindestens {queries} Merkmalspunkte ab.</translation>
    </message>
    <message>
      <source>Distance between the network's SAR candidates (the guided matcher, and the automatic matcher when it falls back on the network); automatic: {fine} px, or {coarse} px where the automatic matcher falls back on the network on an image larger than {tile} x {tile} px</source>
      <translation>Abstand zwischen den SAR-Kandidaten des Netzes (geführte Zuordnung, und die automatische, wenn sie auf das Netz zurückgreift); automatisch: {fine} px, oder {coarse} px, wo die automatische Zuordnung bei einem Bild größer als {tile} x {tile} px auf das Netz zurückgreift</translation>
    </message>
    <message>
      <source>The optical raster's grid and CRS</source>
      <translation>Raster und KBS des optischen Rasters</translation>
    </message>
    <message>
      <source>North up in the SAR raster's own CRS and pixel size</source>
      <translation>Nordausgerichtet im eigenen KBS und in der Pixelgröße des SAR-Rasters</translation>
    </message>
    <message>
      <source>GPU (CUDA)</source>
      <translation>GPU (CUDA)</translation>
    </message>
    <message>
      <source>GPU (CUDA): not available</source>
      <translation>GPU (CUDA): nicht verfügbar</translation>
    </message>
    <message>
      <source>Auto ({found})</source>
      <translation>Automatisch ({found})</translation>
    </message>
    <message>
      <source>Cancelled; nothing was written.</source>
      <translation>Abgebrochen; es wurde nichts geschrieben.</translation>
    </message>
    <message>
      <source>Something went wrong ({error}). This is a bug: please report it with the details from the log panel (View &gt; Panels &gt; Log Messages).</source>
      <translation>Etwas ist schiefgegangen ({error}). Das ist ein Programmfehler: Bitte melden Sie ihn mit den Details aus dem Protokoll (Ansicht &gt; Bedienfelder &gt; Protokollmeldungen).</translation>
    </message>
    <message>
      <source>&amp;SAR-Optical Registration</source>
      <translation>&amp;SAR-Optik-Registrierung</translation>
    </message>
    <message>
      <source>Register a SAR raster to an optical raster</source>
      <translation>Ein SAR-Raster auf ein optisches Raster registrieren</translation>
    </message>
    <message>
      <source>QGIS's Python cannot import '{module}', which the plugin needs. Install the packages from requirements.txt in a virtual environment and add its site-packages folder to PYTHONPATH in Settings &gt; Options &gt; System &gt; Environment (see the plugin's README), then restart QGIS.</source>
      <translation>Das Python von QGIS kann '{module}' nicht importieren, das die Erweiterung braucht. Installieren Sie die Pakete aus requirements.txt in einer virtuellen Umgebung, tragen Sie deren site-packages-Ordner unter Einstellungen &gt; Optionen &gt; System &gt; Umgebung in PYTHONPATH ein (siehe README der Erweiterung) und starten Sie QGIS neu.</translation>
    </message>
    <message>
      <source>the point in the optical layer</source>
      <translation>der Punkt im optischen Layer</translation>
    </message>
    <message>
      <source>the point in the SAR layer</source>
      <translation>der Punkt im SAR-Layer</translation>
    </message>
    <message>
      <source>Tie points (optical) - {name}</source>
      <translation>Passpunkte (optisch) - {name}</translation>
    </message>
    <message>
      <source>Tie points (SAR) - {name}</source>
      <translation>Passpunkte (SAR) - {name}</translation>
    </message>
    <message>
      <source>The tie-point layers do not say how the last fit left them.</source>
      <translation>Die Passpunkt-Layer geben nicht an, wie die letzte Anpassung sie hinterlassen hat.</translation>
    </message>
    <message>
      <source>Write them as a GeoPackage and open that, or run the registration again.</source>
      <translation>Schreiben Sie sie als GeoPackage und öffnen Sie dieses, oder starten Sie die Registrierung erneut.</translation>
    </message>
    <message>
      <source>The optical tie-point layer has no field 'id' any more.</source>
      <translation>Der optische Passpunkt-Layer hat kein Feld 'id' mehr.</translation>
    </message>
    <message>
      <source>The SAR tie-point layer has no field 'id' any more.</source>
      <translation>Der SAR-Passpunkt-Layer hat kein Feld 'id' mehr.</translation>
    </message>
    <message>
      <source>Undo the deletion of the field (Edit &gt; Undo, or stop editing without saving), or run the registration again.</source>
      <translation>Machen Sie das Löschen des Feldes rückgängig (Bearbeiten &gt; Rückgängig, oder die Bearbeitung ohne Speichern beenden), oder registrieren Sie erneut.</translation>
    </message>
    <message>
      <source>Tie point {id}: its optical position was set in two places that disagree ({places}).</source>
      <translation>Passpunkt {id}: seine optische Position wurde an zwei Stellen verschieden gesetzt ({places}).</translation>
    </message>
    <message>
      <source>Tie point {id}: its SAR position was set in two places that disagree ({places}).</source>
      <translation>Passpunkt {id}: seine SAR-Position wurde an zwei Stellen verschieden gesetzt ({places}).</translation>
    </message>
    <message>
      <source>Keep one of the two changes (undo the other, or make them agree), then re-fit.</source>
      <translation>Behalten Sie eine der beiden Änderungen (machen Sie die andere rückgängig oder gleichen Sie sie an), dann passen Sie neu an.</translation>
    </message>
    <message>
      <source>the fields {fields} in the optical layer</source>
      <translation>die Felder {fields} im optischen Layer</translation>
    </message>
    <message>
      <source>the fields {fields} in the SAR layer</source>
      <translation>die Felder {fields} im SAR-Layer</translation>
    </message>
    <message>
      <source>Registration of {name}</source>
      <translation>Registrierung von {name}</translation>
    </message>
    <message>
      <source>Several points in the optical tie-point layer have the same id ({ids}).</source>
      <translation>Mehrere Punkte im optischen Passpunkt-Layer haben dieselbe Id ({ids}).</translation>
    </message>
    <message>
      <source>Several points in the SAR tie-point layer have the same id ({ids}).</source>
      <translation>Mehrere Punkte im SAR-Passpunkt-Layer haben dieselbe Id ({ids}).</translation>
    </message>
    <message>
      <source>Give each point you added an id of its own (the same id as its partner in the other layer), then re-fit.</source>
      <translation>Geben Sie jedem hinzugefügten Punkt eine eigene Id (dieselbe wie sein Partner im anderen Layer), dann passen Sie neu an.</translation>
    </message>
    <message>
      <source>Id</source>
      <translation>Id</translation>
    </message>
    <message>
      <source>Used</source>
      <translation>Verwendet</translation>
    </message>
    <message>
      <source>Residual (px)</source>
      <translation>Residuum (px)</translation>
    </message>
    <message>
      <source>Residual (m)</source>
      <translation>Residuum (m)</translation>
    </message>
    <message>
      <source>dX (px)</source>
      <translation>dX (px)</translation>
    </message>
    <message>
      <source>dY (px)</source>
      <translation>dY (px)</translation>
    </message>
    <message>
      <source>Left out (px)</source>
      <translation>Ausgelassen (px)</translation>
    </message>
    <message>
      <source>Distance</source>
      <translation>Distanz</translation>
    </message>
    <message>
      <source>Rejected by</source>
      <translation>Verworfen durch</translation>
    </message>
    <message>
      <source>Untick a point to leave it out of the fit, tick it to use it: the transform is fitted again at once. Space does it for the selected point</source>
      <translation>Haken entfernen, um einen Punkt aus der Anpassung zu nehmen, setzen, um ihn zu verwenden: Die Transformation wird sofort neu angepasst. Die Leertaste tut es für den ausgewählten Punkt</translation>
    </message>
    <message>
      <source>The point's residual against the transform fitted to all the other points used: a thin-plate spline passes through every point it uses (residual 0), so sort by this column to find a point that disagrees with its neighbours</source>
      <translation>Das Residuum des Punkts gegen die Transformation, die an alle anderen verwendeten Punkte angepasst ist: ein Thin-Plate-Spline geht durch jeden Punkt, den er verwendet (Residuum 0); sortieren Sie nach dieser Spalte, um einen Punkt zu finden, der seinen Nachbarn widerspricht</translation>
    </message>
    <message>
      <source>Choose a raster file</source>
      <translation>Eine Rasterdatei wählen</translation>
    </message>
    <message>
      <source>Band used for matching</source>
      <translation>Für die Zuordnung verwendeter Kanal</translation>
    </message>
    <message>
      <source>Choose a raster</source>
      <translation>Ein Raster wählen</translation>
    </message>
    <message>
      <source>Default band (RGB luminance, else band 1)</source>
      <translation>Standardkanal (RGB-Helligkeit, sonst Kanal 1)</translation>
    </message>
    <message>
      <source>Default band (band 1)</source>
      <translation>Standardkanal (Kanal 1)</translation>
    </message>
    <message>
      <source>Web map: RGB luminance, fetched over the SAR raster</source>
      <translation>Webkarte: Helligkeit aus RGB, über dem SAR-Raster abgerufen</translation>
    </message>
    <message>
      <source>Band {index}</source>
      <translation>Kanal {index}</translation>
    </message>
    <message>
      <source>Rejected: not mutual nearest neighbours</source>
      <translation>Verworfen: keine gegenseitig nächsten Nachbarn</translation>
    </message>
    <message>
      <source>Rejected: descriptor distance too large</source>
      <translation>Verworfen: Deskriptordistanz zu groß</translation>
    </message>
    <message>
      <source>Rejected: no clear template match</source>
      <translation>Verworfen: keine eindeutige Vorlagen-Zuordnung</translation>
    </message>
    <message>
      <source>Rejected: outlier (RANSAC)</source>
      <translation>Verworfen: Ausreißer (RANSAC)</translation>
    </message>
    <message>
      <source>Disabled by you</source>
      <translation>Von Ihnen deaktiviert</translation>
    </message>
    <message>
      <source>Kept: used in the fit</source>
      <translation>Behalten: in der Anpassung verwendet</translation>
    </message>
    <message>
      <source>Added by you: not used until Re-fit</source>
      <translation>Von Ihnen hinzugefügt: erst nach „Neu anpassen“ verwendet</translation>
    </message>
    <message>
      <source>Rejected: other</source>
      <translation>Verworfen: sonstige</translation>
    </message>
    <message>
      <source>Kept: used in the fit (line: residual x{times})</source>
      <translation>Behalten: in der Anpassung verwendet (Linie: Residuum x{times})</translation>
    </message>
    <message>
      <source>Writing registered SAR</source>
      <translation>Registriertes SAR wird geschrieben</translation>
    </message>
    <message>
      <source>Registering SAR to optical</source>
      <translation>SAR wird auf optisches Bild registriert</translation>
    </message>
    <message>
      <source>Opening tie points</source>
      <translation>Passpunkte werden geöffnet</translation>
    </message>
    <message>
      <source>Fetching the web map of the tie points kept in the project</source>
      <translation>Webkarte der im Projekt aufbewahrten Passpunkte wird abgerufen</translation>
    </message>
    <message>
      <source>Transform model</source>
      <translation>Transformationsmodell</translation>
    </message>
    <message>
      <source>Grid of the registered SAR (optical: the optical raster's; sar: north up in the SAR's own CRS and pixel size)</source>
      <translation>Raster des registrierten SAR (optical: das des optischen Rasters; sar: nordausgerichtet im eigenen KBS und in der Pixelgröße des SAR)</translation>
    </message>
    <message>
      <source>Optical raster (reference)</source>
      <translation>Optisches Raster (Referenz)</translation>
    </message>
    <message>
      <source>SAR raster (to register)</source>
      <translation>SAR-Raster (zu registrieren)</translation>
    </message>
    <message>
      <source>Registered SAR raster</source>
      <translation>Registriertes SAR-Raster</translation>
    </message>
    <message>
      <source>Tie points for the Georeferencer (.points)</source>
      <translation>Passpunkte für den Georeferenzierer (.points)</translation>
    </message>
    <message>
      <source>Georeferencer GCP files (*.points)</source>
      <translation>Georeferenzierer-Passpunktdateien (*.points)</translation>
    </message>
    <message>
      <source>Candidate matches</source>
      <translation>Kandidaten-Zuordnungen</translation>
    </message>
    <message>
      <source>Tie points used for the fit</source>
      <translation>Für die Anpassung verwendete Passpunkte</translation>
    </message>
    <message>
      <source>Fit RMSE (optical pixels)</source>
      <translation>RMSE der Anpassung (optische Pixel)</translation>
    </message>
    <message>
      <source>Fit RMSE (metres on the ground; none for an optical raster without a CRS)</source>
      <translation>RMSE der Anpassung (Meter im Gelände; keiner für ein optisches Raster ohne KBS)</translation>
    </message>
    <message>
      <source>Leave-one-out RMSE: each tie point against the fit to the others (optical pixels; none with too few points)</source>
      <translation>Leave-one-out-RMSE: jeder Passpunkt gegen die Anpassung an die übrigen (optische Pixel; keiner bei zu wenigen Punkten)</translation>
    </message>
    <message>
      <source>Fetching the web map '{}' over the SAR raster</source>
      <translation>Webkarte '{}' über dem SAR-Raster abrufen</translation>
    </message>
    <message>
      <source>The web map '{}' over the SAR raster, as registered against: {}</source>
      <translation>Die Webkarte '{}' über dem SAR-Raster, gegen die registriert wurde: {}</translation>
    </message>
    <message>
      <source>{} tie points used of {} candidates; {} fit RMSE {:.2f} optical pixels.</source>
      <translation>{} von {} Kandidaten als Passpunkte verwendet; Anpassung {}, RMSE {:.2f} optische Pixel.</translation>
    </message>
    <message>
      <source>The registration engine cannot be loaded ({}). Install PyTorch, OpenCV, SciPy and phasepack for QGIS's Python and add them to PYTHONPATH (Settings &gt; Options &gt; System &gt; Environment); see the plugin's README.</source>
      <translation>Die Registrierungsbibliothek kann nicht geladen werden ({}). Installieren Sie PyTorch, OpenCV, SciPy und phasepack für das Python von QGIS und tragen Sie sie in PYTHONPATH ein (Einstellungen &gt; Optionen &gt; System &gt; Umgebung); siehe README der Erweiterung.</translation>
    </message>
    <message>
      <source>Registration: {}</source>
      <translation>Registrierung: {}</translation>
    </message>
    <message>
      <source>The raster given as {} cannot be opened. Choose a raster file (e.g. a GeoTIFF).</source>
      <translation>Das als {} angegebene Raster kann nicht geöffnet werden. Wählen Sie eine Rasterdatei (z. B. ein GeoTIFF).</translation>
    </message>
    <message>
      <source>The {} layer '{}' is not a file GDAL can read (provider '{}'). Save it as a GeoTIFF first (Export &gt; Save As).</source>
      <translation>Der {}-Layer '{}' ist keine Datei, die GDAL lesen kann (Provider '{}'). Speichern Sie ihn zuerst als GeoTIFF (Exportieren &gt; Speichern als).</translation>
    </message>
    <message>
      <source>The registered SAR raster is written as GeoTIFF: '{}' is not a .tif file name. Choose a name ending in .tif.</source>
      <translation>Das registrierte SAR-Raster wird als GeoTIFF geschrieben: '{}' ist kein .tif-Dateiname. Wählen Sie einen Namen, der auf .tif endet.</translation>
    </message>
    <message>
      <source>Tie points are written as a layer of a GeoPackage, not to '{}'. Choose a file name ending in .gpkg (a GeoPackage that exists keeps its other layers).</source>
      <translation>Passpunkte werden als Layer eines GeoPackage geschrieben, nicht in '{}'. Wählen Sie einen Dateinamen, der auf .gpkg endet (ein vorhandenes GeoPackage behält seine anderen Layer).</translation>
    </message>
    <message>
      <source>The outputs '{}' and '{}' are both '{}': the one written second would replace the other. Give each output its own file name.</source>
      <translation>Die Ausgaben '{}' und '{}' sind beide '{}': Die zuletzt geschriebene würde die andere ersetzen. Geben Sie jeder Ausgabe einen eigenen Dateinamen.</translation>
    </message>
    <message>
      <source>Fit RMSE on the ground: {}.</source>
      <translation>RMSE der Anpassung im Gelände: {}.</translation>
    </message>
    <message>
      <source>Leave-one-out RMSE, each tie point against the fit to the others: {:.2f} optical pixels{}.</source>
      <translation>Leave-one-out-RMSE, jeder Passpunkt gegen die Anpassung an die übrigen: {:.2f} optische Pixel{}.</translation>
    </message>
    <message>
      <source>The output '{}' is one of the input rasters. Choose another output file name.</source>
      <translation>Die Ausgabe '{}' ist eines der Eingaberaster. Wählen Sie einen anderen Ausgabedateinamen.</translation>
    </message>
    <message>
      <source>Writing {}</source>
      <translation>{} wird geschrieben</translation>
    </message>
    <message>
      <source>Cancelled after writing {}; the other files were not written.</source>
      <translation>Abgebrochen nach dem Schreiben von {}; die übrigen Dateien wurden nicht geschrieben.</translation>
    </message>
    <message>
      <source>Register SAR to optical</source>
      <translation>SAR auf optisches Bild registrieren</translation>
    </message>
    <message>
      <source>Registers a SAR raster to an optical raster: finds keypoints in the optical raster, finds the rotation, scale and shift at which the oriented-gradient structures of both rasters correlate best (within the search radius around the position given by the georeferencing, when both rasters have one), locates each keypoint precisely by template matching on dense features learnt for optical-SAR matching (or on hand-made CFOG features), rejects outliers with RANSAC and fits the chosen transform. When that search is refused, matcher 'auto' matches the keypoints with the DFFCA network instead ('guided' does only that); matcher 'method' runs the published pipeline (keypoints in both rasters, nearest neighbours, adaptive threshold, RANSAC).

Outputs: the SAR raster warped into the optical raster's grid and CRS (GeoTIFF, with overviews for drawing it zoomed out; only the part of the grid where the SAR lies when it covers less than a quarter of the optical raster), every candidate tie point with why it was kept or rejected (GeoPackage; edit it and re-run 'Warp SAR from tie points'), a .points file for QGIS's Georeferencer, and a report with counts and the fit RMSE.

Self-check (up to twice the time): registers again with the SAR moved by a known small rotation and shift and warns when the two fits put the image's corners more than 3 pixels apart; a result that fails it should be inspected before use.

The optical reference may be a web map layer of the project (XYZ tiles, WMS, WMTS) when the SAR raster is georeferenced: it is fetched over the SAR's footprint at about the SAR's pixel size, and the registered SAR is written on that grid, in the web map's CRS.

Optical bands: none = luminance of R, G, B (or band 1). Device 'auto' uses a CUDA GPU when PyTorch sees one.</source>
      <translation>Registriert ein SAR-Raster auf ein optisches Raster: findet Schlüsselpunkte im optischen Raster, findet die Drehung, Skalierung und Verschiebung, bei der die Strukturen orientierter Gradienten beider Raster am besten korrelieren (innerhalb des Suchradius um die Lage, die die Georeferenzierung angibt, wenn beide Raster eine haben), bestimmt jeden Schlüsselpunkt genau durch Template-Matching auf dichten, für optisch-SAR-Matching gelernten Merkmalen (oder auf handgemachten CFOG-Merkmalen), verwirft Ausreißer mit RANSAC und passt die gewählte Transformation an. Wird diese Suche abgelehnt, ordnet der Matcher 'auto' die Schlüsselpunkte stattdessen mit dem DFFCA-Netz zu ('guided' tut nur das); der Matcher 'method' führt das veröffentlichte Verfahren aus (Schlüsselpunkte in beiden Rastern, nächste Nachbarn, adaptive Schwelle, RANSAC).

Ausgaben: das SAR-Raster, in das Raster und KBS des optischen Rasters entzerrt (GeoTIFF, mit Pyramiden zum Zeichnen in kleinen Maßstäben; nur der Teil des Rasters, in dem das SAR liegt, wenn es weniger als ein Viertel des optischen Rasters bedeckt), jeder mögliche Passpunkt mit dem Grund, warum er behalten oder verworfen wurde (GeoPackage; bearbeiten Sie ihn und starten Sie 'SAR aus Passpunkten transformieren' erneut), eine .points-Datei für den Georeferenzierer von QGIS und ein Bericht mit Anzahlen und dem RMSE der Anpassung.

Selbstprüfung (bis zur doppelten Zeit): registriert erneut mit einem um eine bekannte kleine Drehung und Verschiebung bewegten SAR und warnt, wenn die beiden Anpassungen die Bildecken mehr als 3 Pixel auseinander legen; ein Ergebnis, das sie nicht besteht, sollte vor der Verwendung geprüft werden.

Die optische Referenz kann ein Webkarten-Layer des Projekts sein (XYZ-Kacheln, WMS, WMTS), wenn das SAR-Raster georeferenziert ist: sie wird über dem Umriss des SAR in etwa dessen Pixelgröße abgerufen, und das registrierte SAR wird in diesem Raster und im KBS der Webkarte geschrieben.

Optische Bänder: keine = Luminanz aus R, G, B (oder Band 1). Gerät 'auto' verwendet eine CUDA-GPU, wenn PyTorch eine sieht.</translation>
    </message>
    <message>
      <source>Optical band(s) (none: luminance of R, G, B, or band 1)</source>
      <translation>Optische(r) Kanal/Kanäle (keine: Helligkeit aus R, G, B, oder Kanal 1)</translation>
    </message>
    <message>
      <source>SAR band (none: band 1)</source>
      <translation>SAR-Kanal (keiner: Kanal 1)</translation>
    </message>
    <message>
      <source>Self-check: register again with the SAR moved slightly (up to twice the time)</source>
      <translation>Selbstprüfung: erneut registrieren mit leicht verschobenem SAR (bis zu doppelte Zeit)</translation>
    </message>
    <message>
      <source>SAR value scale</source>
      <translation>Skala der SAR-Werte</translation>
    </message>
    <message>
      <source>Features compared by template matching</source>
      <translation>Beim Template-Matching verglichene Merkmale</translation>
    </message>
    <message>
      <source>Grid step of the network's SAR candidates (pixels; 0 = automatic)</source>
      <translation>Rasterabstand der SAR-Kandidaten des Netzes (Pixel; 0 = automatisch)</translation>
    </message>
    <message>
      <source>Rotation searched without georeferencing (degrees, +-)</source>
      <translation>Ohne Georeferenzierung durchsuchte Drehung (Grad, +-)</translation>
    </message>
    <message>
      <source>Scale searched without georeferencing (1/x to x)</source>
      <translation>Ohne Georeferenzierung durchsuchter Maßstab (1/x bis x)</translation>
    </message>
    <message>
      <source>Search radius (pixels; how far off the georeferencing may be)</source>
      <translation>Suchradius (Pixel; wie weit die Georeferenzierung abweichen darf)</translation>
    </message>
    <message>
      <source>Ignore the georeferencing: search the whole image (for georeferencing that is wrong or far off)</source>
      <translation>Georeferenzierung nicht verwenden: das ganze Bild durchsuchen (für eine falsche oder weit danebenliegende Georeferenzierung)</translation>
    </message>
    <message>
      <source>RANSAC threshold (pixels)</source>
      <translation>RANSAC-Schwellenwert (Pixel)</translation>
    </message>
    <message>
      <source>Minimum tie points</source>
      <translation>Mindestzahl an Passpunkten</translation>
    </message>
    <message>
      <source>Descriptor model (name in models/manifest.json; empty: default)</source>
      <translation>Deskriptormodell (Name in models/manifest.json; leer: Standard)</translation>
    </message>
    <message>
      <source>Dense feature model (name in models/manifest.json; empty: default)</source>
      <translation>Modell der dichten Merkmale (Name in models/manifest.json; leer: Standard)</translation>
    </message>
    <message>
      <source>Self-check: how far the fit moved with the SAR moved slightly (optical pixels)</source>
      <translation>Selbstprüfung: wie weit sich die Anpassung mit leicht verschobenem SAR verschob (optische Pixel)</translation>
    </message>
    <message>
      <source>Self-check: passed, FAILED or not run</source>
      <translation>Selbstprüfung: passed (bestanden), FAILED (fehlgeschlagen) oder not run (nicht ausgeführt)</translation>
    </message>
    <message>
      <source>Loading the descriptor network</source>
      <translation>Das Deskriptornetz wird geladen</translation>
    </message>
    <message>
      <source>Fine matching on {} features; descriptor model {} on {}; keypoints: {} optical, {} SAR.</source>
      <translation>Feinzuordnung auf Merkmalen {}; Deskriptormodell {} auf {}; Merkmalspunkte: {} optisch, {} SAR.</translation>
    </message>
    <message>
      <source>Self-check FAILED: with the SAR moved slightly the images could not be registered again. Inspect the tie points and the registered raster before using this result.</source>
      <translation>Selbstprüfung FEHLGESCHLAGEN: mit leicht verschobenem SAR ließen sich die Bilder nicht erneut registrieren. Prüfen Sie die Passpunkte und das registrierte Raster, bevor Sie dieses Ergebnis verwenden.</translation>
    </message>
    <message>
      <source>Self-check FAILED: with the SAR moved slightly the fit moved by {:.1f} pixels at the corners. Inspect the tie points and the registered raster before using this result.</source>
      <translation>Selbstprüfung FEHLGESCHLAGEN: mit leicht verschobenem SAR verschob sich die Anpassung an den Ecken um {:.1f} Pixel. Prüfen Sie die Passpunkte und das registrierte Raster, bevor Sie dieses Ergebnis verwenden.</translation>
    </message>
    <message>
      <source>Self-check passed: with the SAR moved slightly the fit moved by {:.1f} pixels at the corners.</source>
      <translation>Selbstprüfung bestanden: mit leicht verschobenem SAR verschob sich die Anpassung an den Ecken um {:.1f} Pixel.</translation>
    </message>
    <message>
      <source>Warp SAR from tie points</source>
      <translation>SAR aus Passpunkten transformieren</translation>
    </message>
    <message>
      <source>Re-fits the transform on existing tie points and warps the SAR raster into the optical raster's grid and CRS. Give either the tie-point layer written by 'Register SAR to optical' (edit it first: set 'enabled' to 0 to drop a point, move points to correct their optical position) or a Georeferencer .points file. Only enabled points are used; residuals are computed for all of them. The optical raster may be the web map layer the SAR was registered on: it is fetched over the SAR again. Without the optical or the SAR raster, the one the tie-point GeoPackage records (the raster its points were measured on) is used.</source>
      <translation>Passt die Transformation an vorhandene Passpunkte neu an und transformiert das SAR-Raster in das Raster und KBS des optischen Rasters. Geben Sie entweder den von 'SAR auf optisches Bild registrieren' geschriebenen Passpunkt-Layer an (bearbeiten Sie ihn zuerst: 'enabled' auf 0 setzen, um einen Punkt auszuschließen, Punkte verschieben, um ihre optische Position zu korrigieren) oder eine .points-Datei des Georeferenzierers. Nur aktivierte Punkte werden verwendet; Residuen werden für alle berechnet. Das optische Raster kann der Webkarten-Layer sein, auf den das SAR registriert wurde: er wird erneut über dem SAR abgerufen. Ohne optisches oder SAR-Raster wird das verwendet, das das Passpunkt-GeoPackage verzeichnet (das Raster, auf dem seine Punkte gemessen wurden).</translation>
    </message>
    <message>
      <source>Tie-point layer (fields sar_x, sar_y, enabled)</source>
      <translation>Passpunkt-Layer (Felder sar_x, sar_y, enabled)</translation>
    </message>
    <message>
      <source>or a Georeferencer .points file</source>
      <translation>oder eine .points-Datei des Georeferenzierers</translation>
    </message>
    <message>
      <source>Give either a tie-point layer or a .points file (exactly one of them).</source>
      <translation>Geben Sie entweder einen Passpunkt-Layer oder eine .points-Datei an (genau eines von beiden).</translation>
    </message>
    <message>
      <source>Reading tie points</source>
      <translation>Passpunkte werden gelesen</translation>
    </message>
    <message>
      <source>No {} raster is given, and the tie points do not record one (a .points file, or a layer not written by this plugin). Give it.</source>
      <translation>Kein {}-Raster angegeben, und die Passpunkte verzeichnen keines (eine .points-Datei oder ein nicht von diesem Plugin geschriebener Layer). Geben Sie es an.</translation>
    </message>
    <message>
      <source>No {} raster is given, and the one the tie points record, '{}', does not exist (moved or removed). Give it.</source>
      <translation>Kein {}-Raster angegeben, und das von den Passpunkten verzeichnete, '{}', existiert nicht (verschoben oder gelöscht). Geben Sie es an.</translation>
    </message>
    <message>
      <source>{} tie points read, {} enabled.</source>
      <translation>{} Passpunkte gelesen, {} aktiviert.</translation>
    </message>
    <message>
      <source>The tie-point layer has no fields 'sar_x' and 'sar_y'.</source>
      <translation>Der Passpunkt-Layer hat keine Felder 'sar_x' und 'sar_y'.</translation>
    </message>
    <message>
      <source>Use the tie-point layer written by 'Register SAR to optical' (or the dock), or a Georeferencer .points file.</source>
      <translation>Verwenden Sie den von 'SAR auf optisches Bild registrieren' (oder dem Dock) geschriebenen Passpunkt-Layer oder eine .points-Datei des Georeferenzierers.</translation>
    </message>
    <message>
      <source>Give every point a position.</source>
      <translation>Geben Sie jedem Punkt eine Position.</translation>
    </message>
    <message>
      <source>Tie point {} has no geometry and the layer has no optical_x/optical_y fields.</source>
      <translation>Passpunkt {} hat keine Geometrie und der Layer hat keine Felder optical_x/optical_y.</translation>
    </message>
    <message>
      <source>not mutual</source>
      <translation>nicht gegenseitig</translation>
    </message>
    <message>
      <source>distance</source>
      <translation>Distanz</translation>
    </message>
    <message>
      <source>template</source>
      <translation>Vorlage</translation>
    </message>
    <message>
      <source>RANSAC</source>
      <translation>RANSAC</translation>
    </message>
    <message>
      <source>you</source>
      <translation>Sie</translation>
    </message>
    <message>
      <source>Optical x (px)</source>
      <translation>Optisch x (px)</translation>
    </message>
    <message>
      <source>Optical y (px)</source>
      <translation>Optisch y (px)</translation>
    </message>
    <message>
      <source>SAR x (px)</source>
      <translation>SAR x (px)</translation>
    </message>
    <message>
      <source>SAR y (px)</source>
      <translation>SAR y (px)</translation>
    </message>
    <message>
      <source>Optical raster</source>
      <translation>Optisches Raster</translation>
    </message>
    <message>
      <source>SAR raster</source>
      <translation>SAR-Raster</translation>
    </message>
    <message>
      <source>FAILED: inspect the result before using it</source>
      <translation>FEHLGESCHLAGEN: Ergebnis vor der Verwendung prüfen</translation>
    </message>
    <message>
      <source>passed</source>
      <translation>bestanden</translation>
    </message>
    <message>
      <source>not registered again</source>
      <translation>nicht erneut registriert</translation>
    </message>
    <message>
      <source>Note</source>
      <translation>Hinweis</translation>
    </message>
    <message>
      <source>Fit RMSE (metres on the ground)</source>
      <translation>RMSE der Anpassung (Meter im Gelände)</translation>
    </message>
    <message>
      <source>Leave-one-out RMSE: each tie point against the fit to the others (optical pixels)</source>
      <translation>Leave-one-out-RMSE: jeder Passpunkt gegen die Anpassung an die übrigen (optische Pixel)</translation>
    </message>
    <message>
      <source>Self-check: fit moved with the SAR moved slightly (optical pixels)</source>
      <translation>Selbstprüfung: Verschiebung der Anpassung bei leicht verschobenem SAR (optische Pixel)</translation>
    </message>
    <message>
      <source>Fine matching features</source>
      <translation>Merkmale der Feinzuordnung</translation>
    </message>
    <message>
      <source>Descriptor model</source>
      <translation>Deskriptormodell</translation>
    </message>
    <message>
      <source>Leave-one-out RMSE (metres on the ground)</source>
      <translation>Leave-one-out-RMSE (Meter im Gelände)</translation>
    </message>
    <message>
      <source>Rejected by {}</source>
      <translation>Verworfen durch {}</translation>
    </message>
    <message>
      <source>Time: {}</source>
      <translation>Zeit: {}</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>ja</translation>
    </message>
    <message>
      <source>no</source>
      <translation>nein</translation>
    </message>
  </context>
</TS>
