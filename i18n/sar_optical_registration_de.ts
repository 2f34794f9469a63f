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
      <source>Left-out RMSE: {rmse} px.</source>
      <translation>RMSE ausgelassener Punkte: {rmse} px.</translation>
    </message>
    <message>
      <source>Left-out RMSE: {rmse} px, {metres} on the ground.</source>
      <translation>RMSE ausgelassener Punkte: {rmse} px, {metres} im Gelände.</translation>
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
      <source>The transform the registered SAR is written with. Chosen with tie points shown, they are fitted again at once: compare the transforms by the left-out RMSE in the summary (a thin-plate spline passes through every point, so its own RMSE is 0).</source>
      <translation>Die Transformation, mit der das registrierte SAR geschrieben wird. Bei angezeigten Passpunkten werden diese sofort neu angepasst: vergleichen Sie die Transformationen anhand des RMSE ausgelassener Punkte in der Zusammenfassung (ein Thin-Plate-Spline geht durch jeden Punkt, sein eigener RMSE ist daher 0).</translation>
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
      <source>The point's residual against the transform fitted without it and the points within {radius} px of it (matched on overlapping windows, they share its errors): a thin-plate spline passes through every point it uses (residual 0), so sort by this column to find a point that disagrees with the others</source>
      <translation>Das Residuum des Punkts gegen die Transformation, die ohne ihn und die Punkte im Umkreis von {radius} px angepasst ist (auf überlappenden Fenstern zugeordnet, teilen sie seine Fehler): ein Thin-Plate-Spline geht durch jeden Punkt, den er verwendet (Residuum 0); sortieren Sie nach dieser Spalte, um einen Punkt zu finden, der den anderen widerspricht</translation>
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
      <source>Left-out RMSE: each tie point against the fit without it and its neighbours (optical pixels; none with too few points)</source>
      <translation>RMSE ausgelassener Punkte: jeder Passpunkt gegen die Anpassung ohne ihn und seine Nachbarn (optische Pixel; keiner bei zu wenigen Punkten)</translation>
    </message>
    <message>
      <source>Left-out RMSE (metres on the ground; none for an optical raster without a CRS)</source>
      <translation>RMSE ausgelassener Punkte (Meter im Gelände; keiner für ein optisches Raster ohne KBS)</translation>
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
      <source>Left-out RMSE, each tie point against the fit without it and the points within {} px: {:.2f} optical pixels{}.</source>
      <translation>RMSE ausgelassener Punkte, jeder Passpunkt gegen die Anpassung ohne ihn und die Punkte im Umkreis von {} px: {:.2f} optische Pixel{}.</translation>
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

Outputs: the SAR raster warped into the optical raster's grid and CRS (GeoTIFF, with overviews for drawing it zoomed out; only the part of the grid where the SAR lies when it covers less than a quarter of the optical raster), every candidate tie point with why it was kept or rejected (GeoPackage; edit it and re-run 'Warp SAR from tie points'), a .points file for QGIS's Georeferencer, and a report with counts, the fit RMSE and the left-out RMSE (each tie point against the transform fitted without it and the points within 96 px: a thin-plate spline's own RMSE is 0).

Self-check (up to twice the time): registers again with the SAR moved by a known small rotation and shift and warns when the two fits put the image's corners more than 3 pixels apart; a result that fails it should be inspected before use.

The optical reference may be a web map layer of the project (XYZ tiles, WMS, WMTS) when the SAR raster is georeferenced: it is fetched over the SAR's footprint at about the SAR's pixel size, and the registered SAR is written on that grid, in the web map's CRS.

Optical bands: none = luminance of R, G, B (or band 1). Device 'auto' uses a CUDA GPU when PyTorch sees one.</source>
      <translation>Registriert ein SAR-Raster auf ein optisches Raster: findet Schlüsselpunkte im optischen Raster, findet die Drehung, Skalierung und Verschiebung, bei der die Strukturen orientierter Gradienten beider Raster am besten korrelieren (innerhalb des Suchradius um die Lage, die die Georeferenzierung angibt, wenn beide Raster eine haben), bestimmt jeden Schlüsselpunkt genau durch Template-Matching auf dichten, für optisch-SAR-Matching gelernten Merkmalen (oder auf handgemachten CFOG-Merkmalen), verwirft Ausreißer mit RANSAC und passt die gewählte Transformation an. Wird diese Suche abgelehnt, ordnet der Matcher 'auto' die Schlüsselpunkte stattdessen mit dem DFFCA-Netz zu ('guided' tut nur das); der Matcher 'method' führt das veröffentlichte Verfahren aus (Schlüsselpunkte in beiden Rastern, nächste Nachbarn, adaptive Schwelle, RANSAC).

Ausgaben: das SAR-Raster, in das Raster und KBS des optischen Rasters entzerrt (GeoTIFF, mit Pyramiden zum Zeichnen in kleinen Maßstäben; nur der Teil des Rasters, in dem das SAR liegt, wenn es weniger als ein Viertel des optischen Rasters bedeckt), jeder mögliche Passpunkt mit dem Grund, warum er behalten oder verworfen wurde (GeoPackage; bearbeiten Sie ihn und starten Sie 'SAR aus Passpunkten transformieren' erneut), eine .points-Datei für den Georeferenzierer von QGIS und ein Bericht mit Anzahlen, dem RMSE der Anpassung und dem RMSE ausgelassener Punkte (jeder Passpunkt gegen die Transformation, die ohne ihn und die Punkte im Umkreis von 96 px angepasst ist: der eigene RMSE eines Thin-Plate-Spline ist 0).

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
      <source>Re-fits the transform on existing tie points and warps the SAR raster into the optical raster's grid and CRS. Give either the tie-point layer written by 'Register SAR to optical' (edit it first: set 'enabled' to 0 to drop a point, move points to correct their optical position) or a Georeferencer .points file. Only enabled points are used; residuals are computed for all of them. The optical raster may be the web map layer the SAR was registered on: it is fetched over the SAR again. Without the optical or the SAR raster, the one the tie-point GeoPackage records (the raster its points were measured on) is used.

Residuals are those of the chosen transform (a thin-plate spline passes through every point it uses: its RMSE is 0); the left-out RMSE judges it: each tie point against the transform fitted without it and the points within 96 px.</source>
      <translation>Passt die Transformation an vorhandene Passpunkte neu an und transformiert das SAR-Raster in das Raster und KBS des optischen Rasters. Geben Sie entweder den von 'SAR auf optisches Bild registrieren' geschriebenen Passpunkt-Layer an (bearbeiten Sie ihn zuerst: 'enabled' auf 0 setzen, um einen Punkt auszuschließen, Punkte verschieben, um ihre optische Position zu korrigieren) oder eine .points-Datei des Georeferenzierers. Nur aktivierte Punkte werden verwendet; Residuen werden für alle berechnet. Das optische Raster kann der Webkarten-Layer sein, auf den das SAR registriert wurde: er wird erneut über dem SAR abgerufen. Ohne optisches oder SAR-Raster wird das verwendet, das das Passpunkt-GeoPackage verzeichnet (das Raster, auf dem seine Punkte gemessen wurden).

Die Residuen sind die der gewählten Transformation (ein Thin-Plate-Spline geht durch jeden Punkt, den er verwendet: sein RMSE ist 0); der RMSE ausgelassener Punkte beurteilt sie: jeder Passpunkt gegen die Transformation, die ohne ihn und die Punkte im Umkreis von 96 px angepasst ist.</translation>
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
      <source>The tile URL '{url}' that the tie points record cannot be added as a web map layer ({detail}).</source>
      <translation>Die Kachel-URL '{url}', die die Passpunkte verzeichnen, kann nicht als Webkarten-Layer hinzugefügt werden ({detail}).</translation>
    </message>
    <message>
      <source>Add the web map to the project yourself, choose it as the optical layer, and open the tie points again.</source>
      <translation>Fügen Sie die Webkarte selbst dem Projekt hinzu, wählen Sie sie als optischen Layer und öffnen Sie die Passpunkte erneut.</translation>
    </message>
    <message>
      <source>The web map '{layer}' cannot be opened ({detail}).</source>
      <translation>Die Webkarte '{layer}' kann nicht geöffnet werden ({detail}).</translation>
    </message>
    <message>
      <source>Check that the layer shows in QGIS and that its server answers, or choose an optical raster file.</source>
      <translation>Prüfen Sie, ob der Layer in QGIS angezeigt wird und sein Server antwortet, oder wählen Sie eine optische Rasterdatei.</translation>
    </message>
    <message>
      <source>The web map '{layer}' could not be saved as the reference '{path}' (QGIS's writer error {status}).</source>
      <translation>Die Webkarte '{layer}' konnte nicht als Referenz '{path}' gespeichert werden (Schreibfehler {status} von QGIS).</translation>
    </message>
    <message>
      <source>Check that QGIS's temporary folder can be written (Settings &gt; Options &gt; System), or save the web map as a GeoTIFF yourself and choose that file.</source>
      <translation>Prüfen Sie, ob der temporäre Ordner von QGIS beschreibbar ist (Einstellungen &gt; Optionen &gt; System), oder speichern Sie die Webkarte selbst als GeoTIFF und wählen Sie diese Datei.</translation>
    </message>
    <message>
      <source>the tile grid of the web map '%s' could not be read from %s (%s): its tiles are assumed to start on the pixel grid of (0, 0), and QGIS resamples them where they do not</source>
      <translation>das Kachelgitter der Webkarte '%s' konnte nicht aus %s gelesen werden (%s): es wird angenommen, dass ihre Kacheln auf dem Pixelgitter von (0, 0) beginnen, und QGIS resampelt sie, wo sie das nicht tun</translation>
    </message>
    <message>
      <source>the GPU ran out of memory: computing dense features on the CPU instead</source>
      <translation>der GPU-Speicher reichte nicht: die dichten Merkmale werden stattdessen auf der CPU berechnet</translation>
    </message>
    <message>
      <source>No CUDA GPU is available to PyTorch on this machine.</source>
      <translation>PyTorch steht auf diesem Rechner keine CUDA-GPU zur Verfügung.</translation>
    </message>
    <message>
      <source>Choose device 'cpu' or 'auto'.</source>
      <translation>Wählen Sie das Gerät 'cpu' oder 'auto'.</translation>
    </message>
    <message>
      <source>Unknown device '{device}'.</source>
      <translation>Unbekanntes Gerät '{device}'.</translation>
    </message>
    <message>
      <source>Choose 'auto', 'cpu' or 'cuda'.</source>
      <translation>Wählen Sie 'auto', 'cpu' oder 'cuda'.</translation>
    </message>
    <message>
      <source>the GPU ran out of memory: describing on the CPU instead</source>
      <translation>der GPU-Speicher reichte nicht: die Beschreibung läuft stattdessen auf der CPU</translation>
    </message>
    <message>
      <source>--ignore-georeferencing; in QGIS: Ignore the georeferencing</source>
      <translation>--ignore-georeferencing; in QGIS: Georeferenzierung nicht verwenden</translation>
    </message>
    <message>
      <source>The SAR raster '{sar}' and the optical raster '{optical}' do not overlap (by their georeferencing, no common valid pixel).</source>
      <translation>Das SAR-Raster '{sar}' und das optische Raster '{optical}' überlappen sich nicht (nach ihrer Georeferenzierung kein gemeinsames gültiges Pixel).</translation>
    </message>
    <message>
      <source>Choose two rasters of the same area, or check their coordinate reference systems; if they do show the same area and the georeferencing is wrong, ignore it ({option}).</source>
      <translation>Wählen Sie zwei Raster desselben Gebiets oder prüfen Sie ihre Koordinatenbezugssysteme; zeigen sie dasselbe Gebiet und ist die Georeferenzierung falsch, verwenden Sie sie nicht ({option}).</translation>
    </message>
    <message>
      <source>The SAR raster '{sar}' and the optical raster '{optical}' share only {common} valid pixels (by their georeferencing, about {side} x {side}); registering needs at least {least} (128 x 128).</source>
      <translation>Das SAR-Raster '{sar}' und das optische Raster '{optical}' haben nur {common} gültige Pixel gemeinsam (nach ihrer Georeferenzierung etwa {side} x {side}); die Registrierung braucht mindestens {least} (128 x 128).</translation>
    </message>
    <message>
      <source>Use larger rasters of the same area (a few hundred pixels across work best), or check their coordinate reference systems and nodata values; if the georeferencing is wrong, ignore it ({option}).</source>
      <translation>Verwenden Sie größere Raster desselben Gebiets (einige hundert Pixel Breite sind am besten) oder prüfen Sie ihre Koordinatenbezugssysteme und NoData-Werte; ist die Georeferenzierung falsch, verwenden Sie sie nicht ({option}).</translation>
    </message>
    <message>
      <source>GDAL could not reproject the SAR raster into the optical raster's grid ({detail}).</source>
      <translation>GDAL konnte das SAR-Raster nicht in das Gitter des optischen Rasters umprojizieren ({detail}).</translation>
    </message>
    <message>
      <source>Check that both rasters have a valid coordinate reference system.</source>
      <translation>Prüfen Sie, ob beide Raster ein gültiges Koordinatenbezugssystem haben.</translation>
    </message>
    <message>
      <source>Registering these rasters needs about {needed} GiB of memory (the optical raster is {optical_width} x {optical_height} px, the SAR raster {sar_width} x {sar_height} px), and {available} GiB is available.</source>
      <translation>Die Registrierung dieser Raster braucht etwa {needed} GiB Arbeitsspeicher (das optische Raster ist {optical_width} x {optical_height} px groß, das SAR-Raster {sar_width} x {sar_height} px), und {available} GiB sind verfügbar.</translation>
    </message>
    <message>
      <source>Registering these rasters needs about {needed} GiB of memory (the part of the optical raster it reaches is {optical_width} x {optical_height} px, the SAR raster {sar_width} x {sar_height} px), and {available} GiB is available.</source>
      <translation>Die Registrierung dieser Raster braucht etwa {needed} GiB Arbeitsspeicher (der erreichte Teil des optischen Rasters ist {optical_width} x {optical_height} px groß, das SAR-Raster {sar_width} x {sar_height} px), und {available} GiB sind verfügbar.</translation>
    </message>
    <message>
      <source>Registering these rasters needs about {needed} GiB of memory (the optical raster is {optical_width} x {optical_height} px, the part of the SAR raster it reaches {sar_width} x {sar_height} px), and {available} GiB is available.</source>
      <translation>Die Registrierung dieser Raster braucht etwa {needed} GiB Arbeitsspeicher (das optische Raster ist {optical_width} x {optical_height} px groß, der erreichte Teil des SAR-Rasters {sar_width} x {sar_height} px), und {available} GiB sind verfügbar.</translation>
    </message>
    <message>
      <source>Registering these rasters needs about {needed} GiB of memory (the part of the optical raster it reaches is {optical_width} x {optical_height} px, the part of the SAR raster it reaches {sar_width} x {sar_height} px), and {available} GiB is available.</source>
      <translation>Die Registrierung dieser Raster braucht etwa {needed} GiB Arbeitsspeicher (der erreichte Teil des optischen Rasters ist {optical_width} x {optical_height} px groß, der erreichte Teil des SAR-Rasters {sar_width} x {sar_height} px), und {available} GiB sind verfügbar.</translation>
    </message>
    <message>
      <source>Clip both rasters to the area you need (Raster &gt; Extraction &gt; Clip Raster by Extent), about {side} x {side} px of the optical raster at most, or close other programs and try again.</source>
      <translation>Schneiden Sie beide Raster auf das benötigte Gebiet zu (Raster &gt; Extraktion &gt; Raster auf Ausdehnung zuschneiden), höchstens etwa {side} x {side} px des optischen Rasters, oder schließen Sie andere Programme und versuchen Sie es erneut.</translation>
    </message>
    <message>
      <source>Close other programs to free memory and try again, or run it on a machine with more memory.</source>
      <translation>Schließen Sie andere Programme, um Arbeitsspeicher freizugeben, und versuchen Sie es erneut, oder verwenden Sie einen Rechner mit mehr Arbeitsspeicher.</translation>
    </message>
    <message>
      <source>No {kind} model is installed (models/{manifest} names none).</source>
      <translation>Es ist kein Modell der Art '{kind}' installiert (models/{manifest} nennt keines).</translation>
    </message>
    <message>
      <source>Reinstall the plugin, or restore models/ from the project's repository.</source>
      <translation>Installieren Sie das Plugin neu oder stellen Sie models/ aus dem Repository des Projekts wieder her.</translation>
    </message>
    <message>
      <source>There is no {kind} model named '{name}'.</source>
      <translation>Es gibt kein Modell der Art '{kind}' namens '{name}'.</translation>
    </message>
    <message>
      <source>Choose one of: {choices}.</source>
      <translation>Wählen Sie eines von: {choices}.</translation>
    </message>
    <message>
      <source>The weights file of model '{name}' ({path}) is missing or damaged (checksum mismatch).</source>
      <translation>Die Gewichtsdatei des Modells '{name}' ({path}) fehlt oder ist beschädigt (Prüfsumme stimmt nicht).</translation>
    </message>
    <message>
      <source>Reinstall the plugin, or restore the file from the project's repository.</source>
      <translation>Installieren Sie das Plugin neu oder stellen Sie die Datei aus dem Repository des Projekts wieder her.</translation>
    </message>
    <message>
      <source>The SAR raster '{path}' has no positive values, so it is not linear backscatter.</source>
      <translation>Das SAR-Raster '{path}' hat keine positiven Werte, es ist also keine lineare Rückstreuung.</translation>
    </message>
    <message>
      <source>If it holds decibels, set the SAR scale to dB (--sar-scale db; 'SAR values' in the dock).</source>
      <translation>Enthält es Dezibel, stellen Sie die SAR-Skala auf dB (--sar-scale db; 'SAR-Werte' im Dock).</translation>
    </message>
    <message>
      <source>GDAL could not write the warped SAR to '{path}' ({detail}).</source>
      <translation>GDAL konnte das entzerrte SAR nicht nach '{path}' schreiben ({detail}).</translation>
    </message>
    <message>
      <source>GDAL could not write the warped SAR to '{path}'.</source>
      <translation>GDAL konnte das entzerrte SAR nicht nach '{path}' schreiben.</translation>
    </message>
    <message>
      <source>Check that the SAR raster '{sar}' is still whole and readable (gdalinfo -checksum), and that the output's folder is writable and has free space.</source>
      <translation>Prüfen Sie, ob das SAR-Raster '{sar}' noch vollständig und lesbar ist (gdalinfo -checksum) und ob der Ordner der Ausgabe beschreibbar ist und freien Platz hat.</translation>
    </message>
    <message>
      <source>The output '{path}' is not a file on disk: outputs are written to files on disk only.</source>
      <translation>Die Ausgabe '{path}' ist keine Datei auf der Festplatte: Ausgaben werden nur in Dateien auf der Festplatte geschrieben.</translation>
    </message>
    <message>
      <source>Write to a local file, then copy it where it belongs (to cloud storage with its own tool, or 'gdal_translate -of COG sar_registered.tif /vsis3/bucket/sar_registered.tif').</source>
      <translation>Schreiben Sie in eine lokale Datei und kopieren Sie sie dann an ihren Platz (in einen Cloud-Speicher mit dessen eigenem Werkzeug oder mit 'gdal_translate -of COG sar_registered.tif /vsis3/bucket/sar_registered.tif').</translation>
    </message>
    <message>
      <source>The output '{path}' is one of the input rasters.</source>
      <translation>Die Ausgabe '{path}' ist eines der Eingangsraster.</translation>
    </message>
    <message>
      <source>Choose another output file name.</source>
      <translation>Wählen Sie einen anderen Namen für die Ausgabedatei.</translation>
    </message>
    <message>
      <source>The output '{path}' is a folder, not a file.</source>
      <translation>Die Ausgabe '{path}' ist ein Ordner, keine Datei.</translation>
    </message>
    <message>
      <source>Give the output a file name (in that folder, or another).</source>
      <translation>Geben Sie der Ausgabe einen Dateinamen (in diesem oder einem anderen Ordner).</translation>
    </message>
    <message>
      <source>The output '{path}' already exists.</source>
      <translation>Die Ausgabe '{path}' existiert bereits.</translation>
    </message>
    <message>
      <source>Choose another name, or allow overwriting ({kept}).</source>
      <translation>Wählen Sie einen anderen Namen oder erlauben Sie das Überschreiben ({kept}).</translation>
    </message>
    <message>
      <source>Choose another name, or allow overwriting.</source>
      <translation>Wählen Sie einen anderen Namen oder erlauben Sie das Überschreiben.</translation>
    </message>
    <message>
      <source>The output folder '{folder}' does not exist.</source>
      <translation>Der Ausgabeordner '{folder}' existiert nicht.</translation>
    </message>
    <message>
      <source>Create it first or choose another folder.</source>
      <translation>Legen Sie ihn zuerst an oder wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
      <source>The {first} and the {second} are both '{path}': the one written second would replace the other.</source>
      <translation>{first} und {second} sind beide '{path}': die zweite geschriebene Datei würde die erste ersetzen.</translation>
    </message>
    <message>
      <source>Could not write '{path}': the file is read-only.</source>
      <translation>'{path}' konnte nicht geschrieben werden: die Datei ist schreibgeschützt.</translation>
    </message>
    <message>
      <source>Choose another file, or make this one writable.</source>
      <translation>Wählen Sie eine andere Datei oder machen Sie diese beschreibbar.</translation>
    </message>
    <message>
      <source>Could not write '{path}': the folder is not writable.</source>
      <translation>'{path}' konnte nicht geschrieben werden: der Ordner ist nicht beschreibbar.</translation>
    </message>
    <message>
      <source>Choose a folder you may write to, or change the folder's permissions.</source>
      <translation>Wählen Sie einen Ordner, in den Sie schreiben dürfen, oder ändern Sie die Berechtigungen des Ordners.</translation>
    </message>
    <message>
      <source>Could not write '{path}': the disk is full.</source>
      <translation>'{path}' konnte nicht geschrieben werden: der Datenträger ist voll.</translation>
    </message>
    <message>
      <source>Free some space or choose another folder, then write again.</source>
      <translation>Geben Sie Speicherplatz frei oder wählen Sie einen anderen Ordner und schreiben Sie dann erneut.</translation>
    </message>
    <message>
      <source>The registered SAR is written as a GeoTIFF, but '{path}' names another format ({extension}).</source>
      <translation>Das registrierte SAR wird als GeoTIFF geschrieben, aber '{path}' nennt ein anderes Format ({extension}).</translation>
    </message>
    <message>
      <source>The registered SAR is written as a GeoTIFF, but '{path}' has no .tif ending.</source>
      <translation>Das registrierte SAR wird als GeoTIFF geschrieben, aber '{path}' hat keine Endung .tif.</translation>
    </message>
    <message>
      <source>Choose a name ending in .tif (gdal_translate converts the result into another format).</source>
      <translation>Wählen Sie einen Namen mit der Endung .tif (gdal_translate wandelt das Ergebnis in ein anderes Format um).</translation>
    </message>
    <message>
      <source>Unknown output grid '{grid}'.</source>
      <translation>Unbekanntes Ausgabegitter '{grid}'.</translation>
    </message>
    <message>
      <source>Choose one of {choices}.</source>
      <translation>Wählen Sie eines von {choices}.</translation>
    </message>
    <message>
      <source>The registered SAR cannot be written in the SAR raster's own CRS: '{path}' has none.</source>
      <translation>Das registrierte SAR kann nicht im eigenen KBS des SAR-Rasters geschrieben werden: '{path}' hat keines.</translation>
    </message>
    <message>
      <source>Write it in the optical raster's grid instead (the default).</source>
      <translation>Schreiben Sie es stattdessen im Gitter des optischen Rasters (die Voreinstellung).</translation>
    </message>
    <message>
      <source>The registered SAR cannot be written in the SAR raster's own CRS: {reason}</source>
      <translation>Das registrierte SAR kann nicht im eigenen KBS des SAR-Rasters geschrieben werden: {reason}</translation>
    </message>
    <message>
      <source>'{path}' holds no tie points.</source>
      <translation>'{path}' enthält keine Passpunkte.</translation>
    </message>
    <message>
      <source>Choose a .points file saved by the Georeferencer or this plugin.</source>
      <translation>Wählen Sie eine .points-Datei, die vom Georeferenzierer oder von diesem Plugin gespeichert wurde.</translation>
    </message>
    <message>
      <source>The CRS line of '{path}' names no coordinate reference system GDAL knows ({crs}).</source>
      <translation>Die KBS-Zeile von '{path}' nennt kein Koordinatenbezugssystem, das GDAL kennt ({crs}).</translation>
    </message>
    <message>
      <source>Save the tie points again from the QGIS Georeferencer, or remove that line if the points are in the optical raster's CRS.</source>
      <translation>Speichern Sie die Passpunkte erneut aus dem QGIS-Georeferenzierer, oder entfernen Sie diese Zeile, wenn die Punkte im KBS des optischen Rasters liegen.</translation>
    </message>
    <message>
      <source>GDAL cannot fit the {model} warp to the enabled tie points ({detail}).</source>
      <translation>GDAL kann die Entzerrung '{model}' nicht an die aktivierten Passpunkte anpassen ({detail}).</translation>
    </message>
    <message>
      <source>Enable tie points spread over the whole image, or choose a simpler transform.</source>
      <translation>Aktivieren Sie Passpunkte, die über das ganze Bild verteilt sind, oder wählen Sie eine einfachere Transformation.</translation>
    </message>
    <message>
      <source>'{path}' cannot be read as a Georeferencer .points file ({detail}).</source>
      <translation>'{path}' kann nicht als .points-Datei des Georeferenzierers gelesen werden ({detail}).</translation>
    </message>
    <message>
      <source>Choose a .points file saved by the QGIS Georeferencer or this plugin.</source>
      <translation>Wählen Sie eine .points-Datei, die vom QGIS-Georeferenzierer oder von diesem Plugin gespeichert wurde.</translation>
    </message>
    <message>
      <source>Could not write '{path}' ({detail}).</source>
      <translation>'{path}' konnte nicht geschrieben werden ({detail}).</translation>
    </message>
    <message>
      <source>Check that the folder is writable and has free space.</source>
      <translation>Prüfen Sie, ob der Ordner beschreibbar ist und freien Platz hat.</translation>
    </message>
    <message>
      <source>Only {inliers} matches agree on one transform (at least {needed} are needed): the images could not be registered.</source>
      <translation>Nur {inliers} Zuordnungen stimmen in einer Transformation überein (mindestens {needed} sind nötig): die Bilder konnten nicht registriert werden.</translation>
    </message>
    <message>
      <source>Only {inliers} well-separated matches agree on one transform (at least {needed} are needed): the images could not be registered.</source>
      <translation>Nur {inliers} gut getrennte Zuordnungen stimmen in einer Transformation überein (mindestens {needed} sind nötig): die Bilder konnten nicht registriert werden.</translation>
    </message>
    <message>
      <source>Only {inliers} well-separated template matches agree on one transform (at least {needed} are needed): the images could not be registered.</source>
      <translation>Nur {inliers} gut getrennte Template-Zuordnungen stimmen in einer Transformation überein (mindestens {needed} sind nötig): die Bilder konnten nicht registriert werden.</translation>
    </message>
    <message>
      <source>If the georeferencing may be off by more than {radius} px, raise the search radius, or ignore the georeferencing ({option}). Check that both rasters show the same area and try more keypoints.</source>
      <translation>Kann die Georeferenzierung um mehr als {radius} px abweichen, vergrößern Sie den Suchradius oder verwenden Sie die Georeferenzierung nicht ({option}). Prüfen Sie, ob beide Raster dasselbe Gebiet zeigen, und versuchen Sie es mit mehr Merkmalspunkten.</translation>
    </message>
    <message>
      <source>Check that both rasters show the same area and try more keypoints.</source>
      <translation>Prüfen Sie, ob beide Raster dasselbe Gebiet zeigen, und versuchen Sie es mit mehr Merkmalspunkten.</translation>
    </message>
    <message>
      <source>Too few keypoints were found ({optical} optical): the overlap has almost no structure.</source>
      <translation>Es wurden zu wenige Merkmalspunkte gefunden ({optical} optisch): der Überlappungsbereich hat kaum Struktur.</translation>
    </message>
    <message>
      <source>Too few keypoints were found ({optical} optical, {sar} SAR): the overlap has almost no structure.</source>
      <translation>Es wurden zu wenige Merkmalspunkte gefunden ({optical} optisch, {sar} SAR): der Überlappungsbereich hat kaum Struktur.</translation>
    </message>
    <message>
      <source>Use rasters with more detail in their common area (roads, fields, buildings), or check the band choice.</source>
      <translation>Verwenden Sie Raster mit mehr Details im gemeinsamen Gebiet (Straßen, Felder, Gebäude) oder prüfen Sie die Bandwahl.</translation>
    </message>
    <message>
      <source>Only {enabled} tie point(s) are enabled; the {model} transform needs at least {needed}.</source>
      <translation>Nur {enabled} Passpunkt(e) sind aktiviert; die Transformation '{model}' braucht mindestens {needed}.</translation>
    </message>
    <message>
      <source>Enable more tie points or choose a simpler transform.</source>
      <translation>Aktivieren Sie mehr Passpunkte oder wählen Sie eine einfachere Transformation.</translation>
    </message>
    <message>
      <source>The enabled tie points lie on one line: no transform can be fitted across it.</source>
      <translation>Die aktivierten Passpunkte liegen auf einer Linie: quer zu ihr lässt sich keine Transformation anpassen.</translation>
    </message>
    <message>
      <source>Enable tie points spread over the image, not along one line.</source>
      <translation>Aktivieren Sie Passpunkte, die über das Bild verteilt sind, nicht entlang einer Linie.</translation>
    </message>
    <message>
      <source>The matches suggest a scale of {scale} and a rotation of {angle} degrees between the rasters, which their georeferencing rules out: they are most likely wrong, and the images could not be registered.</source>
      <translation>Die Zuordnungen deuten auf einen Maßstab von {scale} und eine Drehung von {angle} Grad zwischen den Rastern hin, was ihre Georeferenzierung ausschließt: sie sind höchstwahrscheinlich falsch, und die Bilder konnten nicht registriert werden.</translation>
    </message>
    <message>
      <source>Check that both rasters show the same area; if the georeferencing is that far off, ignore it ({option}) so that the whole image is searched.</source>
      <translation>Prüfen Sie, ob beide Raster dasselbe Gebiet zeigen; weicht die Georeferenzierung so weit ab, verwenden Sie sie nicht ({option}), damit das ganze Bild durchsucht wird.</translation>
    </message>
    <message>
      <source>The matches suggest a scale of {scale} between the rasters; the descriptor cannot match across more than {most}x, so they are most likely wrong, and the images could not be registered.</source>
      <translation>Die Zuordnungen deuten auf einen Maßstab von {scale} zwischen den Rastern hin; der Deskriptor kann über mehr als {most}x nicht zuordnen, sie sind also höchstwahrscheinlich falsch, und die Bilder konnten nicht registriert werden.</translation>
    </message>
    <message>
      <source>Resample the SAR raster to about the optical raster's pixel size, or give both rasters their georeferencing.</source>
      <translation>Resampeln Sie das SAR-Raster auf etwa die Pixelgröße des optischen Rasters oder geben Sie beiden Rastern ihre Georeferenzierung.</translation>
    </message>
    <message>
      <source>Only {share} of the template matches are distinct and agree on one transform (a real alignment gives more): the images could not be registered.</source>
      <translation>Nur {share} der Template-Zuordnungen sind eindeutig und stimmen in einer Transformation überein (eine echte Ausrichtung ergibt mehr): die Bilder konnten nicht registriert werden.</translation>
    </message>
    <message>
      <source>Check that both rasters show the same area and the same time period, and that the overlap has structure (roads, field edges, coastlines).</source>
      <translation>Prüfen Sie, ob beide Raster dasselbe Gebiet und denselben Zeitraum zeigen und ob der Überlappungsbereich Struktur hat (Straßen, Feldränder, Küstenlinien).</translation>
    </message>
    <message>
      <source>{off} of the {enabled} enabled tie points lie outside the SAR raster '{name}' ({width} x {height} px): they were measured on another raster.</source>
      <translation>{off} der {enabled} aktivierten Passpunkte liegen außerhalb des SAR-Rasters '{name}' ({width} x {height} px): sie wurden auf einem anderen Raster gemessen.</translation>
    </message>
    <message>
      <source>Choose the SAR raster the tie points were measured on (the one registered when they were written).</source>
      <translation>Wählen Sie das SAR-Raster, auf dem die Passpunkte gemessen wurden (das beim Schreiben registrierte).</translation>
    </message>
    <message>
      <source>The optical and the SAR input are the same image ('{path}').</source>
      <translation>Die optische und die SAR-Eingabe sind dasselbe Bild ('{path}').</translation>
    </message>
    <message>
      <source>Choose the SAR raster as the SAR input (for one stack holding both, the SAR's band).</source>
      <translation>Wählen Sie das SAR-Raster als SAR-Eingabe (bei einem Stapel, der beide enthält, das Band des SAR).</translation>
    </message>
    <message>
      <source>The rasters' georeferencing is not used to place the SAR on the optical raster: %s Matching searches the whole image instead, as for a raster without georeferencing; the outputs are written on the optical raster's grid and CRS.</source>
      <translation>Die Georeferenzierung der Raster wird nicht verwendet, um das SAR auf das optische Raster zu legen: %s Die Zuordnung durchsucht stattdessen das ganze Bild, wie bei einem Raster ohne Georeferenzierung; die Ausgaben werden im Gitter und KBS des optischen Rasters geschrieben.</translation>
    </message>
    <message>
      <source>Unknown transform model '{name}'.</source>
      <translation>Unbekanntes Transformationsmodell '{name}'.</translation>
    </message>
    <message>
      <source>max keypoints {value} is too small.</source>
      <translation>Die Höchstzahl der Merkmalspunkte {value} ist zu klein.</translation>
    </message>
    <message>
      <source>Use at least 100 (default 500).</source>
      <translation>Verwenden Sie mindestens 100 (Voreinstellung 500).</translation>
    </message>
    <message>
      <source>Unknown features '{name}'.</source>
      <translation>Unbekannte Merkmale '{name}'.</translation>
    </message>
    <message>
      <source>Unknown matcher '{name}'.</source>
      <translation>Unbekanntes Zuordnungsverfahren '{name}'.</translation>
    </message>
    <message>
      <source>grid step {value} px is out of range.</source>
      <translation>Die Gitterweite {value} px liegt außerhalb des zulässigen Bereichs.</translation>
    </message>
    <message>
      <source>Use 1 to 64 px, or 0 to let the tool choose (the default; smaller is slower).</source>
      <translation>Verwenden Sie 1 bis 64 px oder 0, um das Werkzeug wählen zu lassen (die Voreinstellung; kleiner ist langsamer).</translation>
    </message>
    <message>
      <source>template radius {value} px is out of range.</source>
      <translation>Der Template-Radius {value} px liegt außerhalb des zulässigen Bereichs.</translation>
    </message>
    <message>
      <source>Use 8 to 128 px (default 48).</source>
      <translation>Verwenden Sie 8 bis 128 px (Voreinstellung 48).</translation>
    </message>
    <message>
      <source>The search range (rotation {rotation} degrees, scale {scale}x) is out of range.</source>
      <translation>Der Suchbereich (Drehung {rotation} Grad, Maßstab {scale}x) liegt außerhalb des zulässigen Bereichs.</translation>
    </message>
    <message>
      <source>Use a rotation of 0 to 180 degrees and a scale of 1 to 4 (defaults 20 and 1.35).</source>
      <translation>Verwenden Sie eine Drehung von 0 bis 180 Grad und einen Maßstab von 1 bis 4 (Voreinstellungen 20 und 1,35).</translation>
    </message>
    <message>
      <source>minimum tie points {value} is too small.</source>
      <translation>Die Mindestzahl der Passpunkte {value} ist zu klein.</translation>
    </message>
    <message>
      <source>Use at least 3 (default 8): fewer cannot tell a right transform from chance.</source>
      <translation>Verwenden Sie mindestens 3 (Voreinstellung 8): weniger können eine richtige Transformation nicht vom Zufall unterscheiden.</translation>
    </message>
    <message>
      <source>The search radius and RANSAC threshold must be positive.</source>
      <translation>Suchradius und RANSAC-Schwelle müssen positiv sein.</translation>
    </message>
    <message>
      <source>Use e.g. 100 px and 3 px.</source>
      <translation>Verwenden Sie z. B. 100 px und 3 px.</translation>
    </message>
    <message>
      <source>Without georeferencing, the network's matcher would have to compare each of {keypoints} keypoints with all {positions} SAR positions of its grid: too many for this tool on a scene this large (it would take a long time on a CPU and more memory than most machines have).</source>
      <translation>Ohne Georeferenzierung müsste die Zuordnung des Netzwerks jeden der {keypoints} Merkmalspunkte mit allen {positions} SAR-Positionen ihres Gitters vergleichen: zu viele für dieses Werkzeug bei einer so großen Szene (es dauerte auf einer CPU lange und bräuchte mehr Arbeitsspeicher, als die meisten Rechner haben).</translation>
    </message>
    <message>
      <source>Give both rasters their georeferencing (even an approximate one narrows the search to a radius), or clip both to the same area of at most about 3500 x 3500 px.</source>
      <translation>Geben Sie beiden Rastern ihre Georeferenzierung (schon eine ungefähre beschränkt die Suche auf einen Radius) oder schneiden Sie beide auf dasselbe Gebiet von höchstens etwa 3500 x 3500 px zu.</translation>
    </message>
    <message>
      <source>'{path}' is not a raster GDAL can read: {detail}.</source>
      <translation>'{path}' ist kein Raster, das GDAL lesen kann: {detail}.</translation>
    </message>
    <message>
      <source>'{path}' is not a raster GDAL can read.</source>
      <translation>'{path}' ist kein Raster, das GDAL lesen kann.</translation>
    </message>
    <message>
      <source>Choose a raster file such as a GeoTIFF (or convert it with gdal_translate).</source>
      <translation>Wählen Sie eine Rasterdatei wie ein GeoTIFF (oder wandeln Sie sie mit gdal_translate um).</translation>
    </message>
    <message>
      <source>The file '{path}' does not exist.</source>
      <translation>Die Datei '{path}' existiert nicht.</translation>
    </message>
    <message>
      <source>Check the path and try again.</source>
      <translation>Prüfen Sie den Pfad und versuchen Sie es erneut.</translation>
    </message>
    <message>
      <source>'{path}' holds {count} rasters, not one: {names} and {more} more.</source>
      <translation>'{path}' enthält {count} Raster, nicht eines: {names} und {more} weitere.</translation>
    </message>
    <message>
      <source>'{path}' holds {count} rasters, not one: {names}.</source>
      <translation>'{path}' enthält {count} Raster, nicht eines: {names}.</translation>
    </message>
    <message>
      <source>Give the name of the one to register instead of the file's (in QGIS, add that one as a layer and choose the layer).</source>
      <translation>Geben Sie statt des Dateinamens den Namen des zu registrierenden Rasters an (in QGIS: fügen Sie es als Layer hinzu und wählen Sie den Layer).</translation>
    </message>
    <message>
      <source>'{path}' is a folder, not a raster.</source>
      <translation>'{path}' ist ein Ordner, kein Raster.</translation>
    </message>
    <message>
      <source>Choose the raster file inside it.</source>
      <translation>Wählen Sie die Rasterdatei darin.</translation>
    </message>
    <message>
      <source>'{path}' is empty (0 bytes).</source>
      <translation>'{path}' ist leer (0 Byte).</translation>
    </message>
    <message>
      <source>Its download, copy or export did not finish: get the file again.</source>
      <translation>Ihr Download, Kopieren oder Export wurde nicht beendet: holen Sie die Datei erneut.</translation>
    </message>
    <message>
      <source>'{path}' is an archive, not a raster: it holds {names}.</source>
      <translation>'{path}' ist ein Archiv, kein Raster: es enthält {names}.</translation>
    </message>
    <message>
      <source>'{path}' is an archive, not a raster, and it holds no raster file GDAL would name.</source>
      <translation>'{path}' ist ein Archiv, kein Raster, und es enthält keine Rasterdatei, die GDAL benennen würde.</translation>
    </message>
    <message>
      <source>Give the raster inside it by the name shown (GDAL reads it from the archive), or unpack the archive.</source>
      <translation>Geben Sie das Raster darin mit dem angezeigten Namen an (GDAL liest es aus dem Archiv) oder entpacken Sie das Archiv.</translation>
    </message>
    <message>
      <source>'{path}' could not be read as a raster over the network: {detail}.</source>
      <translation>'{path}' konnte nicht als Raster über das Netzwerk gelesen werden: {detail}.</translation>
    </message>
    <message>
      <source>'{path}' could not be read as a raster over the network.</source>
      <translation>'{path}' konnte nicht als Raster über das Netzwerk gelesen werden.</translation>
    </message>
    <message>
      <source>Check the address (try it with 'gdalinfo'), that it is a raster such as a GeoTIFF, the network connection, and the credentials GDAL uses for that storage (for /vsis3/: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_NO_SIGN_REQUEST=YES for a public bucket; in QGIS set them under Settings &gt; Options &gt; System &gt; Environment). A server that keeps failing for a while: try again later.</source>
      <translation>Prüfen Sie die Adresse (versuchen Sie es mit 'gdalinfo'), ob es ein Raster wie ein GeoTIFF ist, die Netzwerkverbindung und die Zugangsdaten, die GDAL für diesen Speicher verwendet (für /vsis3/: AWS_ACCESS_KEY_ID und AWS_SECRET_ACCESS_KEY, oder AWS_NO_SIGN_REQUEST=YES für einen öffentlichen Bucket; in QGIS unter Einstellungen &gt; Optionen &gt; System &gt; Umgebung). Fällt ein Server eine Weile aus: versuchen Sie es später erneut.</translation>
    </message>
    <message>
      <source>'{path}' has almost no valid pixels (all nodata or NaN in band(s) {bands}).</source>
      <translation>'{path}' hat fast keine gültigen Pixel (alles NoData oder NaN in Band/Bändern {bands}).</translation>
    </message>
    <message>
      <source>'{path}' has almost no valid pixels where the optical raster lies (columns {columns}, rows {rows}) (all nodata or NaN in band(s) {bands}).</source>
      <translation>'{path}' hat fast keine gültigen Pixel, wo das optische Raster liegt (Spalten {columns}, Zeilen {rows}) (alles NoData oder NaN in Band/Bändern {bands}).</translation>
    </message>
    <message>
      <source>Check the band choice and the raster's nodata value.</source>
      <translation>Prüfen Sie die Bandwahl und den NoData-Wert des Rasters.</translation>
    </message>
    <message>
      <source>Check the band choice and the raster's nodata value, and that both rasters show the same area.</source>
      <translation>Prüfen Sie die Bandwahl und den NoData-Wert des Rasters und ob beide Raster dasselbe Gebiet zeigen.</translation>
    </message>
    <message>
      <source>'{path}' holds one value ({value}) in every valid pixel of band(s) {bands}: there is no image to match.</source>
      <translation>'{path}' enthält in jedem gültigen Pixel von Band/Bändern {bands} einen einzigen Wert ({value}): es gibt kein Bild zum Zuordnen.</translation>
    </message>
    <message>
      <source>'{path}' holds one value ({value}) in every valid pixel where the optical raster lies (columns {columns}, rows {rows}) of band(s) {bands}: there is no image to match.</source>
      <translation>'{path}' enthält, wo das optische Raster liegt (Spalten {columns}, Zeilen {rows}), in jedem gültigen Pixel von Band/Bändern {bands} einen einzigen Wert ({value}): es gibt kein Bild zum Zuordnen.</translation>
    </message>
    <message>
      <source>Check the band choice, and that the raster was exported or downloaded whole.</source>
      <translation>Prüfen Sie die Bandwahl und ob das Raster vollständig exportiert oder heruntergeladen wurde.</translation>
    </message>
    <message>
      <source>Coordinates cannot be transformed from the CRS '{source}' to '{target}': PROJ knows no way between them (a local or engineering grid is related to no other CRS).</source>
      <translation>Koordinaten können nicht vom KBS '{source}' in '{target}' transformiert werden: PROJ kennt keinen Weg zwischen ihnen (ein lokales oder technisches Gitter steht mit keinem anderen KBS in Beziehung).</translation>
    </message>
    <message>
      <source>Give both the same CRS, or reproject one of them (gdalwarp -t_srs) into a CRS the other can be transformed to.</source>
      <translation>Geben Sie beiden dasselbe KBS oder projizieren Sie eines (gdalwarp -t_srs) in ein KBS um, in das sich das andere transformieren lässt.</translation>
    </message>
    <message>
      <source>Band {band} of '{path}' could not be read ({detail}).</source>
      <translation>Band {band} von '{path}' konnte nicht gelesen werden ({detail}).</translation>
    </message>
    <message>
      <source>Band {band} of '{path}' could not be read.</source>
      <translation>Band {band} von '{path}' konnte nicht gelesen werden.</translation>
    </message>
    <message>
      <source>It is read over the network, and the server or the connection failed part of the way: try again. If it fails again, check it with 'gdalinfo -checksum', or download it and register the copy on disk.</source>
      <translation>Es wird über das Netzwerk gelesen, und der Server oder die Verbindung ist unterwegs ausgefallen: versuchen Sie es erneut. Schlägt es wieder fehl, prüfen Sie es mit 'gdalinfo -checksum' oder laden Sie es herunter und registrieren Sie die Kopie auf der Festplatte.</translation>
    </message>
    <message>
      <source>The file may be incomplete or damaged (an interrupted download or copy), or a file it refers to may be missing (a VRT's sources): check it with 'gdalinfo -checksum', then copy, download or export it again.</source>
      <translation>Die Datei ist möglicherweise unvollständig oder beschädigt (ein abgebrochener Download oder Kopiervorgang), oder eine Datei, auf die sie verweist, fehlt (die Quellen eines VRT): prüfen Sie sie mit 'gdalinfo -checksum' und kopieren, laden oder exportieren Sie sie dann erneut.</translation>
    </message>
    <message>
      <source>band %d of %s declares no nodata value: its %d pixels of %g, a conventional fill, are read as nodata</source>
      <translation>Band %d von %s gibt keinen NoData-Wert an: seine %d Pixel mit %g, einem üblichen Füllwert, werden als NoData gelesen</translation>
    </message>
    <message>
      <source>'{path}' has {count} band(s); band {band} does not exist.</source>
      <translation>'{path}' hat {count} Band/Bänder; Band {band} existiert nicht.</translation>
    </message>
    <message>
      <source>Choose a band between 1 and {count}.</source>
      <translation>Wählen Sie ein Band zwischen 1 und {count}.</translation>
    </message>
    <message>
      <source>'{path}' is too small to register ({width} x {height} pixels).</source>
      <translation>'{path}' ist zu klein zum Registrieren ({width} x {height} Pixel).</translation>
    </message>
    <message>
      <source>Use rasters of at least 64 x 64 pixels (a few hundred pixels across work best).</source>
      <translation>Verwenden Sie Raster von mindestens 64 x 64 Pixeln (einige hundert Pixel Breite sind am besten).</translation>
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
      <source>Left-out RMSE (metres on the ground)</source>
      <translation>RMSE ausgelassener Punkte (Meter im Gelände)</translation>
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
    <message>
      <source>Left-out RMSE: each tie point against the fit without it and the points within {} px (optical pixels)</source>
      <translation>RMSE ausgelassener Punkte: jeder Passpunkt gegen die Anpassung ohne ihn und die Punkte im Umkreis von {} px (optische Pixel)</translation>
    </message>
    <message>
      <source>'{path}' holds no tie-point layer (a point layer with the fields 'sar_x' and 'sar_y').</source>
      <translation>'{path}' enthält keinen Passpunkt-Layer (einen Punktlayer mit den Feldern 'sar_x' und 'sar_y').</translation>
    </message>
    <message>
      <source>Choose a GeoPackage of tie points written by the dock, the toolbox or the command line, or a Georeferencer .points file.</source>
      <translation>Wählen Sie ein GeoPackage mit Passpunkten, das vom Dock, der Werkzeugkiste oder der Kommandozeile geschrieben wurde, oder eine .points-Datei des Georeferenzierers.</translation>
    </message>
    <message>
      <source>The tie-point layer holds no points.</source>
      <translation>Der Passpunkt-Layer enthält keine Punkte.</translation>
    </message>
    <message>
      <source>Choose a layer with tie points (or clear 'selected features only').</source>
      <translation>Wählen Sie einen Layer mit Passpunkten (oder deaktivieren Sie 'Nur gewählte Objekte').</translation>
    </message>
    <message>
      <source>Some tie points have empty coordinates (sar_x, sar_y or position).</source>
      <translation>Einige Passpunkte haben leere Koordinaten (sar_x, sar_y oder Position).</translation>
    </message>
    <message>
      <source>Fill them in or delete those points.</source>
      <translation>Füllen Sie sie aus oder löschen Sie diese Punkte.</translation>
    </message>
    <message>
      <source>'{path}' holds several tie-point layers ({names}).</source>
      <translation>'{path}' enthält mehrere Passpunkt-Layer ({names}).</translation>
    </message>
    <message>
      <source>Keep one of them in the file, or name the one to open 'tie_points'.</source>
      <translation>Behalten Sie nur einen davon in der Datei oder nennen Sie den zu öffnenden 'tie_points'.</translation>
    </message>
    <message>
      <source>The tie-point layer of '{path}' has no fields 'sar_x' and 'sar_y'.</source>
      <translation>Der Passpunkt-Layer von '{path}' hat keine Felder 'sar_x' und 'sar_y'.</translation>
    </message>
    <message>
      <source>Tie point {point} of '{path}' has no geometry and the layer has no optical_x/optical_y fields.</source>
      <translation>Passpunkt {point} von '{path}' hat keine Geometrie, und der Layer hat keine Felder optical_x/optical_y.</translation>
    </message>
    <message>
      <source>{count} tie point(s) are too few to fit the {model} transform (at least {needed} are needed).</source>
      <translation>{count} Passpunkt(e) sind zu wenige für die Transformation '{model}' (mindestens {needed} sind nötig).</translation>
    </message>
    <message>
      <source>Enable more tie points, or choose a simpler transform.</source>
      <translation>Aktivieren Sie mehr Passpunkte oder wählen Sie eine einfachere Transformation.</translation>
    </message>
    <message>
      <source>The tie points do not determine a homography (they may lie on a line).</source>
      <translation>Die Passpunkte bestimmen keine Homographie (sie liegen vielleicht auf einer Linie).</translation>
    </message>
    <message>
      <source>Add tie points spread over the image.</source>
      <translation>Fügen Sie über das Bild verteilte Passpunkte hinzu.</translation>
    </message>
    <message>
      <source>Two enabled tie points lie at the same place in the SAR raster: no thin-plate spline passes through both.</source>
      <translation>Zwei aktivierte Passpunkte liegen an derselben Stelle im SAR-Raster: kein Thin-Plate-Spline geht durch beide.</translation>
    </message>
    <message>
      <source>Disable one of the two, or choose another transform.</source>
      <translation>Deaktivieren Sie einen der beiden oder wählen Sie eine andere Transformation.</translation>
    </message>
    <message>
      <source>The web map '{layer}' returned no imagery over the SAR raster's footprint ({covered} of it covered).</source>
      <translation>Die Webkarte '{layer}' lieferte keine Bilddaten über der Grundfläche des SAR-Rasters ({covered} davon abgedeckt).</translation>
    </message>
    <message>
      <source>The web map '{layer}' returned no imagery over the SAR raster's footprint ({covered} of it covered, all of one value).</source>
      <translation>Die Webkarte '{layer}' lieferte keine Bilddaten über der Grundfläche des SAR-Rasters ({covered} davon abgedeckt, alles ein Wert).</translation>
    </message>
    <message>
      <source>The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom level {first} ({covered} of it covered).</source>
      <translation>Die Webkarte '{layer}' lieferte auf Zoomstufe {first} keine Bilddaten über der Grundfläche des SAR-Rasters ({covered} davon abgedeckt).</translation>
    </message>
    <message>
      <source>The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom level {first} ({covered} of it covered, all of one value).</source>
      <translation>Die Webkarte '{layer}' lieferte auf Zoomstufe {first} keine Bilddaten über der Grundfläche des SAR-Rasters ({covered} davon abgedeckt, alles ein Wert).</translation>
    </message>
    <message>
      <source>The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom levels {first} to {last} ({covered} of it covered).</source>
      <translation>Die Webkarte '{layer}' lieferte auf den Zoomstufen {first} bis {last} keine Bilddaten über der Grundfläche des SAR-Rasters ({covered} davon abgedeckt).</translation>
    </message>
    <message>
      <source>The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom levels {first} to {last} ({covered} of it covered, all of one value).</source>
      <translation>Die Webkarte '{layer}' lieferte auf den Zoomstufen {first} bis {last} keine Bilddaten über der Grundfläche des SAR-Rasters ({covered} davon abgedeckt, alles ein Wert).</translation>
    </message>
    <message>
      <source>The web map '{layer}' can be the optical reference only for a georeferenced SAR raster: it is fetched over the SAR's footprint, and '{path}' has no georeferencing (no CRS, geotransform or GCPs).</source>
      <translation>Die Webkarte '{layer}' kann nur für ein georeferenziertes SAR-Raster die optische Referenz sein: sie wird über der Grundfläche des SAR abgerufen, und '{path}' hat keine Georeferenzierung (kein KBS, keine Geotransformation, keine GCPs).</translation>
    </message>
    <message>
      <source>Georeference the SAR roughly first (QGIS's Georeferencer), or choose an optical raster file as the reference.</source>
      <translation>Georeferenzieren Sie das SAR zuerst grob (Georeferenzierer von QGIS) oder wählen Sie eine optische Rasterdatei als Referenz.</translation>
    </message>
    <message>
      <source>The web map '{layer}' cannot be fetched over the SAR raster '{path}': {reason}</source>
      <translation>Die Webkarte '{layer}' kann nicht über dem SAR-Raster '{path}' abgerufen werden: {reason}</translation>
    </message>
    <message>
      <source>Georeference the SAR in a map CRS first (QGIS's Georeferencer), or choose an optical raster file as the reference.</source>
      <translation>Georeferenzieren Sie das SAR zuerst in einem Karten-KBS (Georeferenzierer von QGIS) oder wählen Sie eine optische Rasterdatei als Referenz.</translation>
    </message>
    <message>
      <source>The SAR raster's footprint cannot be expressed in the web map '{layer}''s CRS: it lies (partly) outside it.</source>
      <translation>Die Grundfläche des SAR-Rasters lässt sich im KBS der Webkarte '{layer}' nicht ausdrücken: sie liegt (teilweise) außerhalb davon.</translation>
    </message>
    <message>
      <source>Use a web map in another CRS, or an optical raster file.</source>
      <translation>Verwenden Sie eine Webkarte in einem anderen KBS oder eine optische Rasterdatei.</translation>
    </message>
    <message>
      <source>The web map '{layer}' would be fetched as a {width} x {height} px reference over the SAR raster's footprint, more than {most} px across: too much to download from a web map.</source>
      <translation>Die Webkarte '{layer}' würde als Referenz von {width} x {height} px über der Grundfläche des SAR-Rasters abgerufen, mehr als {most} px Breite: zu viel für den Download von einer Webkarte.</translation>
    </message>
    <message>
      <source>Clip the SAR raster to the area you need (Raster &gt; Extraction &gt; Clip Raster by Extent), or save the web map over it as a GeoTIFF yourself and choose that file.</source>
      <translation>Schneiden Sie das SAR-Raster auf das benötigte Gebiet zu (Raster &gt; Extraktion &gt; Raster auf Ausdehnung zuschneiden) oder speichern Sie die Webkarte darüber selbst als GeoTIFF und wählen Sie diese Datei.</translation>
    </message>
    <message>
      <source>Check that the layer shows imagery there in QGIS at that scale and that its server answers (View &gt; Panels &gt; Log Messages, tab WMS), or choose an optical raster file.</source>
      <translation>Prüfen Sie, ob der Layer dort in QGIS bei diesem Maßstab Bilddaten zeigt und ob sein Server antwortet (Ansicht &gt; Bedienfelder &gt; Protokollmeldungen, Reiter WMS), oder wählen Sie eine optische Rasterdatei.</translation>
    </message>
    <message>
      <source>The XYZ tile URL '{url}' holds {unknown}, which GDAL does not fill in: it fills in {{z}}, {{x}} and {{y}} only.</source>
      <translation>Die XYZ-Kachel-URL '{url}' enthält {unknown}, was GDAL nicht ausfüllt: es füllt nur {{z}}, {{x}} und {{y}} aus.</translation>
    </message>
    <message>
      <source>Write the URL out: one server name for {{s}} (e.g. 'a'), nothing for {{r}}; a quadkey ({{q}}) service needs QGIS (add it as a layer and use the dock or the toolbox).</source>
      <translation>Schreiben Sie die URL aus: einen Servernamen für {{s}} (z. B. 'a'), nichts für {{r}}; ein Quadkey-Dienst ({{q}}) braucht QGIS (fügen Sie ihn als Layer hinzu und verwenden Sie das Dock oder die Werkzeugkiste).</translation>
    </message>
    <message>
      <source>The web map '{layer}' could not be fetched over the SAR raster ({detail}).</source>
      <translation>Die Webkarte '{layer}' konnte nicht über dem SAR-Raster abgerufen werden ({detail}).</translation>
    </message>
    <message>
      <source>Check the address (it needs {{z}}, {{x}} and {{y}}), the connection, and that the server answers; or choose an optical raster file.</source>
      <translation>Prüfen Sie die Adresse (sie braucht {{z}}, {{x}} und {{y}}), die Verbindung und ob der Server antwortet; oder wählen Sie eine optische Rasterdatei.</translation>
    </message>
  </context>
</TS>
