package model

// Kinds returns every field kind, in the order they are declared.
func Kinds() []Kind {
	return []Kind{KindText, KindLongText, KindInteger, KindDecimal, KindEnum, KindMultiEnum,
		KindDate, KindMonth, KindDateTime, KindBool, KindGPS, KindGPSList, KindPhotos,
		KindRef, KindRefList, KindTextList, KindCounty}
}
