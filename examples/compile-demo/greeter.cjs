// CommonJS: module.exports is the default export; named exports are found as Node finds them.
module.exports = function greet(name) {
  return `Hello, ${name}!`;
};
module.exports.shout = text => text.toUpperCase();
