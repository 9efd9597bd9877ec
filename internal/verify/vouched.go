package verify

import (
	"crypto/ed25519"
	"fmt"

	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
)

// vouched returns dev as its enrollment statement, signed by one of the
// trusted province keys, vouches for it: the statement's key, role and
// scope, and its revocation time. When the device has no valid statement
// for its id, or the holder's key for it is not the one vouched for, it
// returns why, as each of its ops' problem.
func vouched(dev Device, trusted []ed25519.PublicKey) (Device, *model.Text) {
	why := func(zh, en string) *model.Text {
		return &model.Text{ZH: "设备未获省级担保：" + zh, EN: "device not vouched by the province: " + en}
	}
	if len(dev.Statement) == 0 {
		return dev, why(fmt.Sprintf("设备 %s 没有省级签发的登记声明（可能是直接写入数据库的伪造设备）", dev.ID),
			fmt.Sprintf("device %s has no enrollment statement signed by the province (a device inserted into the database?)", dev.ID))
	}
	sg, err := vouch.Parse(dev.Statement)
	if err != nil {
		return dev, why("登记声明无法读取："+err.Error(), "its enrollment statement cannot be read: "+err.Error())
	}
	st, err := sg.Check(trusted)
	if err != nil {
		return dev, why("登记声明未通过省级公钥核验："+err.Error(), "its enrollment statement does not verify under a trusted province key: "+err.Error())
	}
	if st.Device != dev.ID {
		return dev, why(fmt.Sprintf("登记声明属于另一台设备 %s", st.Device),
			fmt.Sprintf("its enrollment statement is that of another device, %s", st.Device))
	}
	if !st.Key.Equal(dev.Key) {
		return dev, why("数据库中的公钥与省级担保的公钥不同", "the key the holder has for it differs from the key the province vouched for")
	}
	return Device{ID: dev.ID, Key: st.Key, Role: st.Role, County: st.County, Province: st.Province,
		Statement: dev.Statement, revoked: st.Revoked}, nil
}
